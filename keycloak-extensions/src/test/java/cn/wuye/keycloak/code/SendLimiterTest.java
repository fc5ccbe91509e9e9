package cn.wuye.keycloak.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SendLimiterTest {

    static final long T0 = 1_700_000_000_000L;
    final SendLimiter limiter = new SendLimiter(CodePolicy.DEFAULT);

    @Test
    void the_first_code_is_allowed() {
        assertTrue(limiter.decide(List.of(), List.of(), T0).allowed());
    }

    @Test
    void a_second_code_within_sixty_seconds_waits_for_the_rest_of_the_minute() {
        List<Long> sent = limiter.record(List.of(), T0);
        SendLimiter.Decision d = limiter.decide(sent, sent, T0 + 20_000);
        assertEquals(SendLimiter.Reason.COOLDOWN, d.reason());
        assertEquals(40, d.waitSeconds());
        assertTrue(limiter.decide(sent, sent, T0 + 60_000).allowed());
    }

    @Test
    void ten_codes_an_hour_per_account_then_wait_for_the_oldest_to_age_out() {
        List<Long> sent = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 10; i++) {
            assertTrue(limiter.decide(sent, List.of(), t).allowed(), "send " + i);
            sent = limiter.record(sent, t);
            t += 61_000;
        }
        SendLimiter.Decision d = limiter.decide(sent, List.of(), t);
        assertEquals(SendLimiter.Reason.ACCOUNT_LIMIT, d.reason());
        assertTrue(limiter.decide(sent, List.of(), T0 + 3_600_001).allowed());
    }

    @Test
    void one_client_ip_is_capped_across_accounts() {
        List<Long> ip = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ip.add(T0 + i * 1000L);
        }
        assertEquals(SendLimiter.Reason.IP_LIMIT, limiter.decide(List.of(), ip, T0 + 40_000).reason());
    }

    @Test
    void histories_encode_compactly_and_bad_text_reads_as_empty() {
        assertEquals(List.of(1L, 2L), SendLimiter.decode(SendLimiter.encode(List.of(1L, 2L))));
        assertEquals(List.of(), SendLimiter.decode("x,1"));
        assertEquals(List.of(), SendLimiter.decode(null));
    }
}
