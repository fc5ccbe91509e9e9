package cn.wuye.keycloak.device;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import cn.wuye.keycloak.code.Hmac;

/**
 * The trusted-device cookie: {@code base64url(userId|issuedAt|expiresAt).base64url(HMAC)}.
 *
 * <p>It is bound to the user and to a revocation floor: it stops verifying when it was issued before the
 * user's password credential was (re)created, before the user's or the realm's "not before" (set when an
 * admin signs all of the user's sessions out), or when the user's device epoch changed.
 */
public final class TrustedDevice {

    public static final String COOKIE_NAME = "WUYE_TRUSTED_DEVICE";
    public static final long LIFETIME_MILLIS = 30L * 24 * 3600 * 1000;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /**
     * What revokes a device.
     *
     * @param userId            the account
     * @param notBeforeMillis   the latest of: password credential creation, user not-before, realm not-before
     * @param epoch             the user's device epoch attribute ("" when unset); changing it revokes every device
     */
    public record Binding(String userId, long notBeforeMillis, String epoch) {
    }

    private TrustedDevice() {
    }

    public static String issue(byte[] key, Binding binding, long nowMillis) {
        String payload = binding.userId() + "|" + nowMillis + "|" + (nowMillis + LIFETIME_MILLIS);
        return B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + sign(key, payload, binding.epoch());
    }

    public static boolean verify(byte[] key, String cookie, Binding binding, long nowMillis) {
        if (cookie == null || cookie.isEmpty()) {
            return false;
        }
        int dot = cookie.indexOf('.');
        if (dot <= 0 || dot == cookie.length() - 1) {
            return false;
        }
        String payload;
        try {
            payload = new String(B64D.decode(cookie.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!Hmac.constantTimeEquals(cookie.substring(dot + 1), sign(key, payload, binding.epoch()))) {
            return false;
        }
        String[] parts = payload.split("\\|");
        if (parts.length != 3 || !parts[0].equals(binding.userId())) {
            return false;
        }
        try {
            long issuedAt = Long.parseLong(parts[1]);
            long expiresAt = Long.parseLong(parts[2]);
            return nowMillis < expiresAt && issuedAt >= binding.notBeforeMillis() && issuedAt <= nowMillis + 60_000;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String sign(byte[] key, String payload, String epoch) {
        return B64.encodeToString(Hmac.sha256(key, "wuye-trusted-device\n" + epoch + "\n" + payload));
    }
}
