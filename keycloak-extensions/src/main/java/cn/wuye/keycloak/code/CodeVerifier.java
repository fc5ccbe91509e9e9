package cn.wuye.keycloak.code;

import java.util.Optional;

/** Checks an entered code against the kept state under a {@link CodePolicy}. Pure: time is a parameter. */
public final class CodeVerifier {

    public enum Result {
        /** The code is right and still valid. */
        OK,
        /** Wrong code; {@link Outcome#remainingAttempts()} tells how many tries are left for this code. */
        WRONG,
        /** Older than the validity period: ask for a new code. */
        EXPIRED,
        /** This code had its tries: ask for a new code. */
        TOO_MANY_ATTEMPTS,
        /** No code was sent in this authentication session. */
        NO_CODE
    }

    /**
     * @param result            what happened
     * @param next              the state to keep (empty: forget the code)
     * @param remainingAttempts tries left for the kept code
     */
    public record Outcome(Result result, Optional<CodeState> next, int remainingAttempts) {
    }

    private final CodePolicy policy;

    public CodeVerifier(CodePolicy policy) {
        this.policy = policy;
    }

    public Outcome verify(Optional<CodeState> state, byte[] key, String binding, String input, long nowMillis) {
        if (state.isEmpty()) {
            return new Outcome(Result.NO_CODE, Optional.empty(), 0);
        }
        CodeState s = state.get();
        if (s.failures() >= policy.maxAttempts()) {
            return new Outcome(Result.TOO_MANY_ATTEMPTS, Optional.empty(), 0);
        }
        if (nowMillis - s.issuedAtMillis() > policy.validity().toMillis()) {
            return new Outcome(Result.EXPIRED, Optional.empty(), 0);
        }
        String entered = OneTimeCode.normaliseInput(input);
        boolean wellFormed = entered.length() == OneTimeCode.DIGITS && entered.chars().allMatch(Character::isDigit);
        if (wellFormed && Hmac.constantTimeEquals(s.hash(), OneTimeCode.hash(key, binding, entered))) {
            return new Outcome(Result.OK, Optional.empty(), 0);
        }
        CodeState failed = s.withFailure();
        int remaining = policy.maxAttempts() - failed.failures();
        if (remaining <= 0) {
            return new Outcome(Result.TOO_MANY_ATTEMPTS, Optional.empty(), 0);
        }
        return new Outcome(Result.WRONG, Optional.of(failed), remaining);
    }
}
