package cn.wuye.keycloak.activation;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the activation SMS may carry. Staff are taught never to tap a link in an SMS, so the sign-in address is
 * shown without its scheme (a phone makes {@code https://…} a link) and the text carries no code: the code comes
 * only when the person asks for it on the sign-in page.
 */
public final class ActivationText {

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");

    private ActivationText() {
    }

    /** {@code https://sso.example.com/} → {@code sso.example.com}: typed into a browser, never tapped. */
    public static String address(String url) {
        if (url == null) {
            return "";
        }
        return SCHEME.matcher(url.trim()).replaceFirst("").replaceAll("/+$", "");
    }

    /** The person's language for a text sent outside any request: English if their account says so, else zh-CN. */
    public static Locale locale(String accountLocale) {
        return accountLocale != null && accountLocale.trim().toLowerCase(Locale.ROOT).startsWith("en")
                ? Locale.ENGLISH : Locale.SIMPLIFIED_CHINESE;
    }

    /** Refuses a composed text that would carry a link (a theme override could add one); it never carries a code. */
    public static String checked(String text) {
        if (text.contains("://") || text.toLowerCase(Locale.ROOT).contains("http")) {
            throw new IllegalStateException("the activation SMS must not carry a link");
        }
        return text;
    }
}
