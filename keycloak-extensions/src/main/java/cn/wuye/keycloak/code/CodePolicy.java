package cn.wuye.keycloak.code;

import java.time.Duration;

/**
 * Limits for one-time codes sent by SMS (or email when the account has no mobile).
 *
 * @param validity          how long a code may be used
 * @param maxAttempts       wrong entries allowed per code; the code is void after that
 * @param resendCooldown    minimum time between two codes for the same account (or forgot-password identifier)
 * @param maxPerAccount     codes per account (or forgot-password identifier) per clock hour
 * @param maxPerClientIp    codes nobody verified, per client IP per clock hour (a verified code frees its slot)
 * @param maxPerRealm       codes per realm per clock hour: the SMS budget; reaching it raises an alert
 */
public record CodePolicy(Duration validity, int maxAttempts, Duration resendCooldown, int maxPerAccount,
                         int maxPerClientIp, int maxPerRealm) {

    public static final CodePolicy DEFAULT = new CodePolicy(Duration.ofMinutes(5), 5, Duration.ofSeconds(60), 10, 30, 1000);

    /** The validity in whole minutes, rounded up, as the texts announce it. */
    public long validityMinutes() {
        return Math.max(1, (validity.toSeconds() + 59) / 60);
    }
}
