package cn.wuye.keycloak.mapper;

/**
 * The OIDC {@code name} claim in the order people write it: 雷诺磊 (family name first, no space) for Chinese names,
 * "Given Family" for names in Latin script. Keycloak's own full-name mapper always writes given + " " + family,
 * which every standard relying party then shows as "诺磊 雷".
 */
public final class FullName {

    /** User attribute holding the full name as HR wrote it (see docs/ARCHITECTURE.md, identity model). */
    public static final String DISPLAY_NAME_ATTRIBUTE = "display_name";

    private FullName() {
    }

    /**
     * The name as HR wrote it when there is one; otherwise joined from given and family name, family first without
     * a space when either is written in Han characters. {@code null} when nothing is known.
     */
    public static String of(String displayName, String given, String family) {
        String written = trimmed(displayName);
        if (written != null) {
            return written;
        }
        String g = trimmed(given);
        String f = trimmed(family);
        if (g == null || f == null) {
            return g != null ? g : f;
        }
        if (hasHan(g) || hasHan(f)) {
            return f + g;
        }
        return g + " " + f;
    }

    static boolean hasHan(String text) {
        return text.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    private static String trimmed(String value) {
        if (value == null) {
            return null;
        }
        String t = value.strip();
        return t.isEmpty() ? null : t;
    }
}
