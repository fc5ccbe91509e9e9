package cn.wuye.keycloak.authenticator;

import java.io.IOException;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Properties;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.theme.Theme;

/**
 * The texts that carry a code (SMS, email), taken from the login theme's messages in the person's language, so
 * the SMS and the page say the same thing, and the validity they announce is the realm's real one.
 */
public final class CodeTexts {

    static final String THEME = "wuye";

    private CodeTexts() {
    }

    static String format(KeycloakSession session, RealmModel realm, UserModel user, String key, Object... params) {
        return format(session, realm, session.getContext().resolveLocale(user), key, params);
    }

    /** In a given language: for texts composed outside a request (the activation drain), where no browser says one. */
    public static String format(KeycloakSession session, RealmModel realm, Locale locale, String key, Object... params) {
        String pattern = pattern(session, realm, locale, key);
        return new MessageFormat(pattern, locale).format(params);
    }

    /** The company as the texts name it: the realm's display name. */
    public static String company(RealmModel realm) {
        return realm.getDisplayName() == null ? realm.getName() : realm.getDisplayName();
    }

    /** The realm's login theme first (it may override our texts), then ours. */
    private static String pattern(KeycloakSession session, RealmModel realm, Locale locale, String key) {
        try {
            String found = session.theme().getTheme(Theme.Type.LOGIN).getEnhancedMessages(realm, locale).getProperty(key);
            if (found == null) {
                Properties ours = session.theme().getTheme(THEME, Theme.Type.LOGIN).getEnhancedMessages(realm, locale);
                found = ours.getProperty(key);
            }
            if (found == null) {
                throw new IllegalStateException("message " + key + " is missing from the " + THEME + " login theme");
            }
            return found;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the login theme's messages", e);
        }
    }
}
