package cn.wuye.keycloak.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class CodeVerifierTest {

    static final byte[] KEY = "server-side key for tests".getBytes(StandardCharsets.UTF_8);
    static final String BINDING = "login|user-1|auth-session-1";
    static final long T0 = 1_700_000_000_000L;
    final CodeVerifier verifier = new CodeVerifier(CodePolicy.DEFAULT);

    static Optional<CodeState> issued(String code) {
        return Optional.of(new CodeState(OneTimeCode.hash(KEY, BINDING, code), T0, 0));
    }

    @Test
    void codes_have_six_digits_and_vary() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String c = OneTimeCode.generate(random);
            assertTrue(c.matches("[0-9]{6}"), c);
            seen.add(c);
        }
        assertTrue(seen.size() > 190);
    }

    @Test
    void only_a_keyed_hash_is_kept_never_the_code() {
        CodeState state = issued("123456").orElseThrow();
        assertFalse(state.toNotes("sms.").containsValue("123456"));
        assertNotEquals(OneTimeCode.hash(KEY, BINDING, "123456"), OneTimeCode.hash("other".getBytes(), BINDING, "123456"));
        assertNotEquals(OneTimeCode.hash(KEY, BINDING, "123456"), OneTimeCode.hash(KEY, "reset|user-1|s", "123456"));
    }

    @Test
    void the_right_code_within_five_minutes_is_accepted() {
        assertEquals(CodeVerifier.Result.OK, verifier.verify(issued("042917"), KEY, BINDING, "042917", T0 + 299_000).result());
    }

    @Test
    void full_width_digits_and_spaces_in_the_entered_code_are_accepted() {
        assertEquals(CodeVerifier.Result.OK, verifier.verify(issued("042917"), KEY, BINDING, " ０４２ ９１７", T0 + 1000).result());
    }

    @Test
    void a_code_older_than_five_minutes_is_expired_even_when_right() {
        CodeVerifier.Outcome o = verifier.verify(issued("042917"), KEY, BINDING, "042917", T0 + 300_001);
        assertEquals(CodeVerifier.Result.EXPIRED, o.result());
        assertTrue(o.next().isEmpty());
    }

    @Test
    void five_wrong_entries_void_the_code() {
        Optional<CodeState> state = issued("042917");
        for (int i = 1; i <= 4; i++) {
            CodeVerifier.Outcome o = verifier.verify(state, KEY, BINDING, "000000", T0 + i * 1000L);
            assertEquals(CodeVerifier.Result.WRONG, o.result());
            assertEquals(5 - i, o.remainingAttempts());
            state = o.next();
        }
        CodeVerifier.Outcome fifth = verifier.verify(state, KEY, BINDING, "000000", T0 + 5000);
        assertEquals(CodeVerifier.Result.TOO_MANY_ATTEMPTS, fifth.result());
        assertTrue(fifth.next().isEmpty());
        // and the right code no longer helps
        assertEquals(CodeVerifier.Result.NO_CODE, verifier.verify(fifth.next(), KEY, BINDING, "042917", T0 + 6000).result());
    }

    @Test
    void state_survives_the_round_trip_through_session_notes() {
        CodeState s = new CodeState("ab", 42L, 3);
        Map<String, String> notes = new HashMap<>(s.toNotes("p."));
        assertEquals(Optional.of(s), CodeState.fromNotes("p.", notes::get));
        notes.remove("p.hash");
        assertEquals(Optional.empty(), CodeState.fromNotes("p.", notes::get));
    }
}
