package cn.wuye.keycloak.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SendLimiterTest {

    /** 10:00:00 on some day: the start of a clock hour. */
    static final long T0 = 1_700_000_000_000L / 3_600_000L * 3_600_000L;

    /** SingleUseObjectProvider as a map: atomic putIfAbsent, entries expire on the shared fake clock. */
    static final class FakeStore implements SlotStore {
        final AtomicLong now = new AtomicLong(T0);
        final Map<String, Long> expiry = new ConcurrentHashMap<>();
        final Map<String, Long> notes = new ConcurrentHashMap<>();

        @Override
        public boolean putIfAbsent(String key, long lifespanSeconds) {
            long t = now.get();
            expiry.computeIfPresent(key, (k, until) -> until <= t ? null : until); // expired: gone
            return expiry.putIfAbsent(key, t + lifespanSeconds * 1000) == null;
        }

        @Override
        public boolean contains(String key) {
            Long until = expiry.get(key);
            return until != null && until > now.get();
        }

        @Override
        public void remove(String key) {
            expiry.remove(key);
        }

        @Override
        public void note(String key, long lifespanSeconds, long value) {
            notes.put(key, value);
        }

        @Override
        public OptionalLong noted(String key) {
            Long v = notes.get(key);
            return v == null ? OptionalLong.empty() : OptionalLong.of(v);
        }
    }

    final FakeStore store = new FakeStore();
    final SendLimiter limiter = new SendLimiter(CodePolicy.DEFAULT, store);

    static SendLimiter.Request account(String id, String ip) {
        return new SendLimiter.Request("realm", "acct:" + id, Optional.empty(), ip);
    }

    SendLimiter.Decision at(long t, SendLimiter.Request r) {
        store.now.set(t);
        return limiter.decide(r, t);
    }

    @Test
    void the_first_code_is_allowed() {
        assertTrue(at(T0, account("a", "10.0.0.1")).allowed());
    }

    @Test
    void a_second_code_within_sixty_seconds_waits_for_the_rest_of_the_minute() {
        at(T0, account("a", "10.0.0.1"));
        SendLimiter.Decision d = at(T0 + 20_000, account("a", "10.0.0.1"));
        assertEquals(SendLimiter.Reason.COOLDOWN, d.reason());
        assertEquals(40, d.waitSeconds());
        assertTrue(at(T0 + 60_000, account("a", "10.0.0.1")).allowed());
    }

    @Test
    void ten_codes_an_hour_per_account_then_wait_for_the_next_hour() {
        long t = T0;
        for (int i = 0; i < 10; i++) {
            assertTrue(at(t, account("a", "10.0.0." + i)).allowed(), "send " + i);
            t += 61_000;
        }
        SendLimiter.Decision d = at(t, account("a", "10.0.0.99"));
        assertEquals(SendLimiter.Reason.ACCOUNT_LIMIT, d.reason());
        assertEquals((T0 + 3_600_000 - t) / 1000, d.waitSeconds());
        assertTrue(at(T0 + 3_600_000 + 61_000, account("a", "10.0.0.99")).allowed());
    }

    @Test
    void one_client_ip_is_capped_on_codes_nobody_verified_and_a_verified_code_frees_its_slot() {
        List<SendLimiter.Decision> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(at(T0 + i, account("u" + i, "10.0.0.1")));
            assertTrue(sent.get(i).allowed(), "account " + i);
        }
        assertEquals(SendLimiter.Reason.IP_LIMIT, at(T0 + 100, account("u30", "10.0.0.1")).reason());
        assertTrue(at(T0 + 100, account("u30", "10.0.0.2")).allowed(), "another address is not affected");

        limiter.free(sent.get(7).ipSlot().orElseThrow()); // u7 entered the code
        assertTrue(at(T0 + 200, account("u31", "10.0.0.1")).allowed());
        assertEquals(SendLimiter.Reason.IP_LIMIT, at(T0 + 300, account("u32", "10.0.0.1")).reason());
    }

    @Test
    void an_office_that_verifies_its_codes_is_never_capped() {
        for (int i = 0; i < 500; i++) {
            SendLimiter.Decision d = at(T0 + i * 1000L, account("staff" + i, "10.0.0.1"));
            assertTrue(d.allowed(), "colleague " + i);
            limiter.free(d.ipSlot().orElseThrow());
        }
    }

    @Test
    void a_refusal_by_the_address_gives_the_account_its_slot_back() {
        SendLimiter tight = new SendLimiter(new CodePolicy(Duration.ofMinutes(5), 5, Duration.ZERO, 2, 1, 1000), store);
        assertTrue(tight.decide(account("x", "10.0.0.1"), T0).allowed());
        assertEquals(SendLimiter.Reason.IP_LIMIT, tight.decide(account("a", "10.0.0.1"), T0).reason());
        assertEquals(SendLimiter.Reason.IP_LIMIT, tight.decide(account("a", "10.0.0.1"), T0).reason());
        assertTrue(tight.decide(account("a", "10.0.0.2"), T0).allowed());
        assertTrue(tight.decide(account("a", "10.0.0.3"), T0).allowed(), "the refused tries took no slot of a");
    }

    @Test
    void the_realm_budget_stops_sends_from_everywhere_and_alerts_once() {
        SendLimiter small = new SendLimiter(new CodePolicy(Duration.ofMinutes(5), 5, Duration.ofSeconds(60), 10, 30, 3), store);
        for (int i = 0; i < 3; i++) {
            assertTrue(small.decide(account("u" + i, "10.0.0." + i), T0).allowed());
        }
        SendLimiter.Decision first = small.decide(account("u3", "10.0.0.3"), T0);
        SendLimiter.Decision second = small.decide(account("u4", "10.0.0.4"), T0);
        assertEquals(SendLimiter.Reason.REALM_BUDGET, first.reason());
        assertTrue(first.alert());
        assertEquals(SendLimiter.Reason.REALM_BUDGET, second.reason());
        assertFalse(second.alert(), "one alert per realm and hour");
    }

    @Test
    void a_known_account_behind_a_forgot_password_identifier_is_limited_silently() {
        SendLimiter.Request byPhone = new SendLimiter.Request("realm", "id:phone", Optional.of("acct:a"), "10.0.0.1");
        SendLimiter.Request byNumber = new SendLimiter.Request("realm", "id:number", Optional.of("acct:a"), "10.0.0.1");
        SendLimiter.Request unknown = new SendLimiter.Request("realm", "id:nobody", Optional.empty(), "10.0.0.1");
        assertEquals(SendLimiter.Reason.ALLOWED, limiter.decide(byPhone, T0).reason());
        SendLimiter.Decision second = limiter.decide(byNumber, T0);
        assertEquals(SendLimiter.Reason.SUPPRESSED, second.reason(), "the account's cool-down: not sent");
        assertTrue(second.answeredAsSent(), "but answered as sent");
        assertTrue(limiter.decide(unknown, T0).answeredAsSent(), "as for an identifier of nobody");
        assertEquals(SendLimiter.Reason.COOLDOWN, limiter.decide(byPhone, T0 + 1000).reason());
        assertEquals(SendLimiter.Reason.COOLDOWN, limiter.decide(unknown, T0 + 1000).reason(), "unknown alike");
    }

    @Test
    void twenty_parallel_requests_for_one_account_get_exactly_one_code() throws Exception {
        assertEquals(1, parallel(20, i -> account("a", "10.0.0." + i)));
    }

    @Test
    void a_parallel_burst_never_passes_an_hourly_cap() throws Exception {
        CodePolicy noCooldown = new CodePolicy(Duration.ofMinutes(5), 5, Duration.ZERO, 10, 30, 1000);
        assertEquals(10, parallel(new SendLimiter(noCooldown, new FakeStore()), 40, i -> account("a", "10.0.0." + i)),
                "account cap");
        assertEquals(30, parallel(new SendLimiter(noCooldown, new FakeStore()), 40, i -> account("b" + i, "10.0.9.9")),
                "address cap");
        CodePolicy budget = new CodePolicy(Duration.ofMinutes(5), 5, Duration.ZERO, 10, 30, 25);
        assertEquals(25, parallel(new SendLimiter(budget, new FakeStore()), 40, i -> account("c" + i, "10.0.1." + i)),
                "realm budget");
    }

    interface Requests {
        SendLimiter.Request of(int i);
    }

    int parallel(int n, Requests requests) throws Exception {
        return parallel(limiter, n, requests);
    }

    static int parallel(SendLimiter limiter, int n, Requests requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SendLimiter.Request r = requests.of(i);
                results.add(pool.submit(() -> {
                    start.await();
                    return limiter.decide(r, T0).allowed();
                }));
            }
            start.countDown();
            int allowed = 0;
            for (Future<Boolean> f : results) {
                allowed += f.get() ? 1 : 0;
            }
            return allowed;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_verified_code_ends_the_cool_down_but_not_the_hourly_cap() {
        assertTrue(at(T0, account("a", "ip1")).allowed());
        assertEquals(SendLimiter.Reason.COOLDOWN, at(T0 + 1_000, account("a", "ip1")).reason());
        limiter.endCooldown("realm", "acct:a");
        assertTrue(at(T0 + 2_000, account("a", "ip1")).allowed(), "right after a verified code: the next code");
        for (int i = 3; i <= 10; i++) {
            limiter.endCooldown("realm", "acct:a");
            at(T0 + i * 1_000L, account("a", "ip1"));
        }
        limiter.endCooldown("realm", "acct:a");
        assertEquals(SendLimiter.Reason.ACCOUNT_LIMIT, at(T0 + 20_000, account("a", "ip1")).reason());
    }

    @Test
    void parallel_tries_of_one_code_get_the_cap_and_no_more() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<java.util.OptionalInt>> tries = pool.invokeAll(
                    java.util.Collections.nCopies(40, () -> limiter.claimTry("code:try", 5, 300)));
            java.util.Set<Integer> taken = new java.util.TreeSet<>();
            for (java.util.concurrent.Future<java.util.OptionalInt> f : tries) {
                f.get().ifPresent(taken::add);
            }
            assertEquals(java.util.Set.of(0, 1, 2, 3, 4), taken);
        } finally {
            pool.shutdown();
        }
    }
}
