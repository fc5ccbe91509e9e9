package cn.wuye.keycloak.authenticator;

import java.security.SecureRandom;

import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The key behind code hashes and trusted-device cookies: the realm's active HMAC key (shared by every node of a
 * cluster and rotated with the realm's keys). A process-local random key only if the realm has none.
 */
public final class Secrets {

    private static final byte[] FALLBACK = new byte[32];

    static {
        new SecureRandom().nextBytes(FALLBACK);
    }

    private Secrets() {
    }

    public static byte[] key(KeycloakSession session, RealmModel realm, String purpose) {
        byte[] base = FALLBACK;
        for (String alg : new String[] {Algorithm.HS512, Algorithm.HS256}) {
            try {
                KeyWrapper k = session.keys().getActiveKey(realm, KeyUse.SIG, alg);
                if (k != null && k.getSecretKey() != null) {
                    base = k.getSecretKey().getEncoded();
                    break;
                }
            } catch (RuntimeException e) {
                // no key of this algorithm: try the next
            }
        }
        return cn.wuye.keycloak.code.Hmac.sha256(base, "wuye/" + purpose);
    }
}
