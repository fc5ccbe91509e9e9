package cn.wuye.keycloak.code;

import java.time.Duration;

/**
 * Limits for one-time codes sent by SMS (or email when the account has no mobile).
 *
 * @param validity          how long a code may be used
 * @param maxAttempts       wrong entries allowed per code; the code is void after that
 * @param resendCooldown    minimum time between two codes for the same account
 * @param maxPerAccount     codes per account per {@code window}
 * @param maxPerClientIp    codes per client IP per {@code window}
 * @param window            the sliding window of the two caps above
 */
public record CodePolicy(Duration validity, int maxAttempts, Duration resendCooldown, int maxPerAccount,
                         int maxPerClientIp, Duration window) {

    public static final CodePolicy DEFAULT = new CodePolicy(Duration.ofMinutes(5), 5, Duration.ofSeconds(60), 10, 30,
            Duration.ofHours(1));
}
