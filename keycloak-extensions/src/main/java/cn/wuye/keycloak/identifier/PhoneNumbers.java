package cn.wuye.keycloak.identifier;

import java.util.Optional;
import java.util.regex.Pattern;

import cn.wuye.keycloak.text.Width;

/**
 * Mainland China mobile numbers to E.164 ({@code +8613800138000}).
 *
 * <p>The same cases run on the provisioning side (Python) from {@code tests/vectors/phone_numbers.json}:
 * change both together.
 */
public final class PhoneNumbers {

    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-().\u00A0]");
    private static final Pattern MAINLAND_MOBILE = Pattern.compile("1[3-9][0-9]{9}");

    private PhoneNumbers() {
    }

    /** The E.164 form of a mainland mobile number, or empty when the text is not one. */
    public static Optional<String> toE164(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String s = SEPARATORS.matcher(Width.toHalfWidth(raw)).replaceAll("");
        if (s.startsWith("+")) {
            if (!s.startsWith("+86")) {
                return Optional.empty();
            }
            s = s.substring(3);
        } else if (s.startsWith("0086")) {
            s = s.substring(4);
        } else if (s.length() == 13 && s.startsWith("86")) {
            s = s.substring(2);
        }
        if (!MAINLAND_MOBILE.matcher(s).matches()) {
            return Optional.empty();
        }
        return Optional.of("+86" + s);
    }

    /** A masked form for pages and logs: {@code +86 138****8000}. */
    public static String mask(String e164) {
        if (e164 == null || e164.length() < 8) {
            return "***";
        }
        String national = e164.startsWith("+86") ? e164.substring(3) : e164;
        if (national.length() < 7) {
            return "***";
        }
        return national.substring(0, 3) + "****" + national.substring(national.length() - 4);
    }
}
