package cn.wuye.keycloak.code;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A code in flight, as kept in authentication-session notes: its keyed hash, when it was issued and how many
 * wrong entries it has had. Immutable; verification returns the next state.
 */
public record CodeState(String hash, long issuedAtMillis, int failures) {

    static final String HASH = "hash";
    static final String ISSUED = "issued";
    static final String FAILURES = "failures";

    public Map<String, String> toNotes(String prefix) {
        Map<String, String> notes = new HashMap<>();
        notes.put(prefix + HASH, hash);
        notes.put(prefix + ISSUED, Long.toString(issuedAtMillis));
        notes.put(prefix + FAILURES, Integer.toString(failures));
        return notes;
    }

    public static Optional<CodeState> fromNotes(String prefix, Function<String, String> notes) {
        String hash = notes.apply(prefix + HASH);
        String issued = notes.apply(prefix + ISSUED);
        String failures = notes.apply(prefix + FAILURES);
        if (hash == null || issued == null || failures == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CodeState(hash, Long.parseLong(issued), Integer.parseInt(failures)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static String[] noteNames(String prefix) {
        return new String[] {prefix + HASH, prefix + ISSUED, prefix + FAILURES};
    }

    public CodeState withFailure() {
        return new CodeState(hash, issuedAtMillis, failures + 1);
    }
}
