package cn.wuye.keycloak.text;

/** Full-width (全角) to half-width (半角) folding, as Chinese input methods produce both. */
public final class Width {

    private Width() {
    }

    /** Folds full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space (U+3000) to ASCII. */
    public static String toHalfWidth(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u3000') {
                out.append(' ');
            } else if (c >= '\uFF01' && c <= '\uFF5E') {
                out.append((char) (c - 0xFEE0));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** True when the text holds a full-width ASCII variant or an ideographic space. */
    public static boolean hasFullWidth(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u3000' || (c >= '\uFF01' && c <= '\uFF5E')) {
                return true;
            }
        }
        return false;
    }

    /** Half-width and trimmed, including Unicode spaces that {@link String#trim()} keeps. */
    public static String clean(String s) {
        if (s == null) {
            return "";
        }
        return toHalfWidth(s).strip();
    }
}
