package cn.wuye.keycloak.code;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The pace of the activation drain, decided atomically on the shared {@link SlotStore} (cluster-wide in Keycloak):
 * a realm sends at most its per-second count in any clock second (vendors cap a signature's sends per second), and
 * an account gets at most one activation or reset-code SMS per {@link #ACCOUNT_SPACING} (vendors cap per number; a
 * help-desk resend inside it waits in the queue). Pure: time is a parameter.
 */
public final class DrainPacer {

    public static final Duration ACCOUNT_SPACING = Duration.ofSeconds(60);
    static final String NAMESPACE = "wuye-drain:";

    private final SlotStore store;
    private final SendLimiter slots;

    public DrainPacer(SlotStore store) {
        this.store = store;
        this.slots = new SendLimiter(CodePolicy.DEFAULT, store);
    }

    /** One send of the realm's budget for the clock second of {@code nowMillis}; false when that second's are taken. */
    public boolean realmSlot(String realmId, int perSecond, long nowMillis) {
        String counter = NAMESPACE + realmId + ":s:" + nowMillis / 1000;
        return slots.claim(counter, perSecond, 2, false).isPresent();
    }

    /**
     * The account's turn to get an SMS: false while its last one ({@code lastSentMillis}, kept on the account, so
     * the spacing survives restarts) is younger than the spacing, or when another drain claimed it first.
     */
    public boolean claimAccount(String realmId, String userId, OptionalLong lastSentMillis, long nowMillis) {
        return due(lastSentMillis, nowMillis) && store.putIfAbsent(accountKey(realmId, userId), ACCOUNT_SPACING.toSeconds());
    }

    /** Whether the account's last SMS is older than the spacing (a time in the future, a skewed clock, counts as old). */
    public static boolean due(OptionalLong lastSentMillis, long nowMillis) {
        if (lastSentMillis.isEmpty()) {
            return true;
        }
        long last = lastSentMillis.getAsLong();
        return last > nowMillis || nowMillis - last >= ACCOUNT_SPACING.toMillis();
    }

    /** The SMS did not leave: the account may be tried again at once (the realm's own back-off still applies). */
    public void releaseAccount(String realmId, String userId) {
        store.remove(accountKey(realmId, userId));
    }

    /** After a gateway failure: the realm waits {@code pause} before its next try, so a dead vendor is not hammered. */
    public void pauseRealm(String realmId, Duration pause) {
        store.putIfAbsent(NAMESPACE + realmId + ":paused", Math.max(1, pause.toSeconds()));
    }

    public boolean realmPaused(String realmId) {
        return store.contains(NAMESPACE + realmId + ":paused");
    }

    private static String accountKey(String realmId, String userId) {
        return NAMESPACE + realmId + ":acct:" + userId;
    }
}
