package cn.wuye.keycloak.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class DrainPacerTest {

    final SendLimiterTest.FakeStore store = new SendLimiterTest.FakeStore();
    final DrainPacer pacer = new DrainPacer(store);
    final long t0 = SendLimiterTest.T0;

    long sendsInSecond(long at, int perSecond, int tries) {
        store.now.set(at);
        return IntStream.range(0, tries).filter(i -> pacer.realmSlot("r", perSecond, at)).count();
    }

    @Test
    void a_realm_sends_at_most_its_rate_in_any_clock_second() {
        assertEquals(10, sendsInSecond(t0 + 100, 10, 50));
        assertEquals(0, sendsInSecond(t0 + 900, 10, 5), "the same second: nothing left");
        assertEquals(10, sendsInSecond(t0 + 1_000, 10, 50), "the next second: the full rate again");
        assertEquals(3, sendsInSecond(t0 + 2_000, 3, 50));
    }

    @Test
    void fifty_accounts_at_ten_a_second_take_five_seconds() {
        int sent = 0;
        int seconds = 0;
        for (long t = t0; sent < 50; t += 1_000, seconds++) {
            sent += (int) sendsInSecond(t, 10, 50 - sent);
        }
        assertEquals(5, seconds);
    }

    @Test
    void a_rate_of_zero_pauses_the_realm() {
        assertEquals(0, sendsInSecond(t0, 0, 5));
    }

    @Test
    void realms_have_their_own_pace() {
        store.now.set(t0);
        assertEquals(10, IntStream.range(0, 20).filter(i -> pacer.realmSlot("a", 10, t0)).count());
        assertTrue(pacer.realmSlot("b", 10, t0));
    }

    @Test
    void an_account_gets_one_sms_a_minute() {
        store.now.set(t0);
        assertTrue(pacer.claimAccount("r", "u", OptionalLong.empty(), t0));
        assertFalse(pacer.claimAccount("r", "u", OptionalLong.empty(), t0), "claimed: a second drain gets nothing");
        store.now.set(t0 + 59_000);
        assertFalse(pacer.claimAccount("r", "u", OptionalLong.of(t0), t0 + 59_000));
        store.now.set(t0 + 60_000);
        assertTrue(pacer.claimAccount("r", "u", OptionalLong.of(t0), t0 + 60_000));
        assertTrue(pacer.claimAccount("r", "other", OptionalLong.empty(), t0 + 60_000));
    }

    @Test
    void the_spacing_is_read_from_the_account_too_so_it_survives_a_restart() {
        store.now.set(t0 + 30_000);
        assertFalse(pacer.claimAccount("r", "u", OptionalLong.of(t0), t0 + 30_000), "sent 30 s ago by the node before");
    }

    @Test
    void a_failed_send_gives_the_account_back_and_pauses_the_realm() {
        store.now.set(t0);
        assertTrue(pacer.claimAccount("r", "u", OptionalLong.empty(), t0));
        pacer.releaseAccount("r", "u");
        pacer.pauseRealm("r", Duration.ofSeconds(5));
        assertTrue(pacer.realmPaused("r"));
        assertFalse(pacer.realmPaused("other"));
        assertTrue(pacer.claimAccount("r", "u", OptionalLong.empty(), t0));
        store.now.set(t0 + 5_000);
        assertFalse(pacer.realmPaused("r"));
    }

    @Test
    void parallel_drains_claim_an_account_once() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Callable<Boolean> claim = () -> pacer.claimAccount("r", "u", OptionalLong.empty(), t0);
            long won = 0;
            for (Future<Boolean> f : pool.invokeAll(java.util.Collections.nCopies(32, claim))) {
                won += f.get() ? 1 : 0;
            }
            assertEquals(1, won);
        } finally {
            pool.shutdown();
        }
    }
}
