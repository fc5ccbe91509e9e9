package cn.wuye.keycloak.code;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Whether another code may be sent now, decided atomically on a shared {@link SlotStore}, so the limits hold
 * under parallel requests and across Keycloak nodes. Nothing is read and then written back:
 * <ul>
 *   <li>cool-down: one key per subject, claimed with {@code putIfAbsent} for the cool-down's length;</li>
 *   <li>hourly caps: numbered slots per clock hour ({@code …:hour:i}, i &lt; cap); a send needs one free slot, and
 *       {@code putIfAbsent} gives each slot to one caller only.</li>
 * </ul>
 * Checked in this order: cool-down and hourly cap of the subject, codes nobody verified from the client IP, the
 * realm's hourly budget. A refusal gives back the slots it claimed on the way. The first refusal by the budget in
 * an hour says {@link Decision#alert()}, once per realm and hour across the cluster.
 */
public final class SendLimiter {

    public enum Reason {
        /** Send. */
        ALLOWED,
        /** Answer as if sent, send nothing: a limit of the account behind a forgot-password identifier. */
        SUPPRESSED,
        COOLDOWN,
        ACCOUNT_LIMIT,
        IP_LIMIT,
        REALM_BUDGET
    }

    /**
     * @param realm         realm id
     * @param subject       whose limits the answer shows: the account at sign-in, the identifier at forgot password
     * @param silentSubject an account whose limits apply without showing (forgot password for an existing account),
     *                      so the answer never depends on whether the account exists
     * @param clientIp      the client's address as Keycloak sees it
     */
    public record Request(String realm, String subject, Optional<String> silentSubject, String clientIp) {
    }

    /**
     * @param waitSeconds how long until a send would be allowed again (0 when allowed)
     * @param ipSlot      the client-IP slot this send holds; {@link #free} it when the code is verified
     * @param alert       this refusal is the first by the realm budget this hour: tell IT
     */
    public record Decision(Reason reason, long waitSeconds, Optional<String> ipSlot, boolean alert) {
        public boolean allowed() {
            return reason == Reason.ALLOWED;
        }

        /** What the person is told: sent (also when silently suppressed), or the refusal. */
        public boolean answeredAsSent() {
            return reason == Reason.ALLOWED || reason == Reason.SUPPRESSED;
        }
    }

    static final String NAMESPACE = "wuye-code:";
    private static final long HOUR_MILLIS = 3_600_000L;
    /** Slots outlive their hour a little, so a clock a few seconds apart between nodes finds them still there. */
    private static final long MARGIN_SECONDS = 60;

    private final CodePolicy policy;
    private final SlotStore store;

    public SendLimiter(CodePolicy policy, SlotStore store) {
        this.policy = policy;
        this.store = store;
    }

    public Decision decide(Request r, long nowMillis) {
        long hour = nowMillis / HOUR_MILLIS;
        long untilNextHour = ceilSeconds((hour + 1) * HOUR_MILLIS - nowMillis);
        long lifespan = untilNextHour + MARGIN_SECONDS;
        String base = NAMESPACE + r.realm() + ":";
        String h = ":" + hour;

        String cooldownKey = base + "cd:" + r.subject();
        Optional<Decision> cooling = cooldown(cooldownKey, nowMillis);
        if (cooling.isPresent()) {
            return cooling.get();
        }
        Optional<String> subjectSlot = claim(base + "n:" + r.subject() + h, policy.maxPerAccount(), lifespan, true);
        if (subjectSlot.isEmpty()) {
            return refused(Reason.ACCOUNT_LIMIT, untilNextHour);
        }
        // refused by the address or the budget: the subject's cool-down and slot go back, so a pump aimed at
        // someone's account does not keep its owner from a code
        Optional<String> ipSlot = claim(base + "ip:" + r.clientIp() + h, policy.maxPerClientIp(), lifespan, true);
        if (ipSlot.isEmpty()) {
            subjectSlot.ifPresent(store::remove);
            store.remove(cooldownKey);
            return refused(Reason.IP_LIMIT, untilNextHour);
        }
        Optional<String> budgetSlot = claim(base + "realm" + h, policy.maxPerRealm(), lifespan, false);
        if (budgetSlot.isEmpty()) {
            subjectSlot.ifPresent(store::remove);
            ipSlot.ifPresent(store::remove);
            store.remove(cooldownKey);
            boolean alert = store.putIfAbsent(base + "alert" + h, lifespan);
            return new Decision(Reason.REALM_BUDGET, untilNextHour, Optional.empty(), alert);
        }
        if (r.silentSubject().isPresent()) {
            String silent = r.silentSubject().get();
            if (cooldown(base + "cd:" + silent, nowMillis).isPresent()
                    || claim(base + "n:" + silent + h, policy.maxPerAccount(), lifespan, true).isEmpty()) {
                return new Decision(Reason.SUPPRESSED, 0, ipSlot, false);
            }
        }
        return new Decision(Reason.ALLOWED, 0, ipSlot, false);
    }

    /** Gives a client-IP slot back: its code was verified, so it was no pump. */
    public void free(String ipSlot) {
        if (ipSlot.startsWith(NAMESPACE)) {
            store.remove(ipSlot);
        }
    }

    /**
     * Ends a subject's cool-down early: its code was verified, so the phone is in the right hands (a person who has
     * just activated or reset gets their sign-in code at once; the hourly cap still counts).
     */
    public void endCooldown(String realm, String subject) {
        store.remove(NAMESPACE + realm + ":cd:" + subject);
    }

    private Optional<Decision> cooldown(String key, long nowMillis) {
        long seconds = policy.resendCooldown().toSeconds();
        if (seconds <= 0) {
            return Optional.empty();
        }
        if (store.putIfAbsent(key, seconds)) {
            store.note(key + ":at", seconds, nowMillis);
            return Optional.empty();
        }
        OptionalLong since = store.noted(key + ":at");
        long left = since.isPresent() ? seconds * 1000 - (nowMillis - since.getAsLong()) : seconds * 1000;
        return Optional.of(refused(Reason.COOLDOWN, ceilSeconds(Math.min(left, seconds * 1000))));
    }

    /**
     * One of {@code cap} numbered tries on a shared counter (a code's tries, checked by parallel requests): the
     * number of the try taken (0-based), or empty when every try is used. Atomic: never more than {@code cap} tries.
     */
    public OptionalInt claimTry(String counter, int cap, long lifespanSeconds) {
        Optional<String> slot = claim(counter, cap, lifespanSeconds, false);
        return slot.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(slot.get().substring(counter.length() + 1)));
    }

    /**
     * The first free slot below {@code cap}, claimed; empty when all are taken. Slots of a counter that never
     * gives any back fill up from 0 without holes, so a binary search finds where to start (log(cap) lookups
     * instead of cap claims: the realm budget may be large); a counter with holes is walked from 0.
     */
    Optional<String> claim(String counter, int cap, long lifespanSeconds, boolean slotsAreGivenBack) {
        int from = slotsAreGivenBack ? 0 : firstFree(counter, cap);
        for (int i = from; i < cap; i++) {
            String slot = counter + ":" + i;
            if (store.putIfAbsent(slot, lifespanSeconds)) {
                return Optional.of(slot);
            }
        }
        return Optional.empty();
    }

    private int firstFree(String counter, int cap) {
        int lo = 0;
        int hi = cap;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (store.contains(counter + ":" + mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static Decision refused(Reason reason, long waitSeconds) {
        return new Decision(reason, waitSeconds, Optional.empty(), false);
    }

    private static long ceilSeconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
