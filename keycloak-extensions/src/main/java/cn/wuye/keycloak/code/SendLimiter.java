package cn.wuye.keycloak.code;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether another code may be sent now, from the send times kept per account and per client IP.
 * Pure: the histories and the time are parameters; where they are kept is the caller's business.
 */
public final class SendLimiter {

    public enum Reason { ALLOWED, COOLDOWN, ACCOUNT_LIMIT, IP_LIMIT }

    /** @param waitSeconds how long until a send would be allowed again (0 when allowed) */
    public record Decision(Reason reason, long waitSeconds) {
        public boolean allowed() {
            return reason == Reason.ALLOWED;
        }
    }

    private final CodePolicy policy;

    public SendLimiter(CodePolicy policy) {
        this.policy = policy;
    }

    public Decision decide(List<Long> accountSends, List<Long> ipSends, long nowMillis) {
        List<Long> account = recent(accountSends, nowMillis);
        List<Long> ip = recent(ipSends, nowMillis);
        long cooldown = policy.resendCooldown().toMillis();
        if (!account.isEmpty()) {
            long last = account.get(account.size() - 1);
            if (nowMillis - last < cooldown) {
                return new Decision(Reason.COOLDOWN, ceilSeconds(cooldown - (nowMillis - last)));
            }
        }
        if (account.size() >= policy.maxPerAccount()) {
            return new Decision(Reason.ACCOUNT_LIMIT, ceilSeconds(account.get(0) + policy.window().toMillis() - nowMillis));
        }
        if (ip.size() >= policy.maxPerClientIp()) {
            return new Decision(Reason.IP_LIMIT, ceilSeconds(ip.get(0) + policy.window().toMillis() - nowMillis));
        }
        return new Decision(Reason.ALLOWED, 0);
    }

    /** The history after a send at {@code nowMillis}, without entries older than the window. */
    public List<Long> record(List<Long> sends, long nowMillis) {
        List<Long> next = new ArrayList<>(recent(sends, nowMillis));
        next.add(nowMillis);
        return next;
    }

    public List<Long> recent(List<Long> sends, long nowMillis) {
        long from = nowMillis - policy.window().toMillis();
        return sends.stream().filter(t -> t > from && t <= nowMillis).sorted().collect(Collectors.toList());
    }

    public static String encode(List<Long> sends) {
        return sends.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public static List<Long> decode(String encoded) {
        if (encoded == null || encoded.isBlank()) {
            return List.of();
        }
        try {
            return Arrays.stream(encoded.split(",")).map(Long::parseLong).collect(Collectors.toList());
        } catch (NumberFormatException e) {
            return List.of();
        }
    }

    private static long ceilSeconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
