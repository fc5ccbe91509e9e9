package cn.wuye.keycloak.code;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Generation and keyed hashing of 6-digit codes. The clear code is only ever in the message sent. */
public final class OneTimeCode {

    public static final int DIGITS = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OneTimeCode() {
    }

    public static String generate() {
        return generate(RANDOM);
    }

    public static String generate(SecureRandom random) {
        int n = random.nextInt(1_000_000);
        return String.format("%06d", n);
    }

    /**
     * The keyed hash kept in the authentication session. {@code binding} ties the code to its purpose,
     * user and authentication session, so a code for one of them never verifies for another.
     */
    public static String hash(byte[] key, String binding, String code) {
        return HexFormat.of().formatHex(Hmac.sha256(key, binding + "\n" + code));
    }

    /** Digits only, half-width, without spaces: what a person may type for a code. */
    public static String normaliseInput(String input) {
        if (input == null) {
            return "";
        }
        return cn.wuye.keycloak.text.Width.toHalfWidth(input).replaceAll("\\s", "");
    }
}
