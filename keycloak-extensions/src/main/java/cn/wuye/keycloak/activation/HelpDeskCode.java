package cn.wuye.keycloak.activation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import cn.wuye.keycloak.authenticator.CodeTexts;
import cn.wuye.keycloak.authenticator.Secrets;
import cn.wuye.keycloak.code.CodePolicy;
import cn.wuye.keycloak.code.CodeState;
import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.code.OneTimeCode;
import cn.wuye.keycloak.code.SendLimiter;
import cn.wuye.keycloak.code.SingleUseSlots;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSettings;

/**
 * The reset code the help desk sends ("发送重置验证码"): issued by the drain, kept only as a keyed hash bound to
 * the account, in Keycloak's cluster-wide single-use store for the realm's code validity; "forgot password" for
 * that account takes it instead of sending a fresh one.
 */
public final class HelpDeskCode {

    private static final String NAMESPACE = "wuye-helpdesk-code:";

    private HelpDeskCode() {
    }

    /** A new code for the account (any older one is replaced); marks the request as served; returns the SMS. */
    static SmsMessage issue(KeycloakSession s, RealmModel realm, UserModel user, String phone, long now) {
        String code = OneTimeCode.generate();
        long validity = SmsSettings.codeValidity(realm, CodePolicy.DEFAULT.validity()).toSeconds();
        Map<String, String> notes = new CodeState(OneTimeCode.hash(key(s, realm), binding(user), code), now, 0).toNotes("");
        s.singleUseObjects().remove(storeKey(realm, user));
        s.singleUseObjects().put(storeKey(realm, user), validity, notes);
        user.removeAttribute(Activation.RESET_CODE_REQUESTED);
        user.setSingleAttribute(Activation.RESET_CODE_SENT_AT, Long.toString(now));
        Locale locale = ActivationText.locale(user.getFirstAttribute(UserModel.LOCALE));
        long minutes = Math.max(1, (validity + 59) / 60);
        String text = CodeTexts.format(s, realm, locale, "wuyeHelpDeskCodeSmsText", CodeTexts.company(realm), code,
                Long.toString(minutes), user.getUsername());
        return SmsMessage.code(realm.getName(), phone, text, code, minutes, "reset-code");
    }

    /** Whether the help desk's code for this account is waiting: sent, still valid, unused and not guessed out. */
    public static boolean waiting(KeycloakSession s, RealmModel realm, UserModel user, CodePolicy policy, long now) {
        return state(s, realm, user).filter(c -> c.failures() < policy.maxAttempts()
                && now - c.issuedAtMillis() <= policy.validity().toMillis()).isPresent();
    }

    /**
     * Checks {@code input} against the account's help-desk code; empty when none is held. Each check first takes
     * one of the code's numbered tries in the cluster-wide store (atomic: parallel guesses get five checks in all,
     * then the code is void); the caller counts a wrong code toward the account's lockout as for any code. Single
     * use: of parallel right answers only the one that removes the code wins.
     */
    public static Optional<CodeVerifier.Outcome> verify(KeycloakSession s, RealmModel realm, UserModel user, String input,
                                                        CodePolicy policy, long now) {
        Optional<CodeState> held = state(s, realm, user);
        if (held.isEmpty()) {
            return Optional.empty();
        }
        String key = storeKey(realm, user);
        long lifespan = Math.max(1, (policy.validity().toMillis() - (now - held.get().issuedAtMillis())) / 1000);
        OptionalInt attempt = new SendLimiter(policy, new SingleUseSlots(s.singleUseObjects()))
                .claimTry(key + ":try:" + held.get().issuedAtMillis(), policy.maxAttempts(), lifespan);
        if (attempt.isEmpty()) {
            s.singleUseObjects().remove(key);
            return Optional.of(new CodeVerifier.Outcome(CodeVerifier.Result.TOO_MANY_ATTEMPTS, Optional.empty(), 0));
        }
        CodeState counted = new CodeState(held.get().hash(), held.get().issuedAtMillis(), attempt.getAsInt());
        CodeVerifier.Outcome outcome = new CodeVerifier(policy).verify(Optional.of(counted), key(s, realm), binding(user), input, now);
        if (outcome.result() == CodeVerifier.Result.OK) {
            return Optional.of(s.singleUseObjects().remove(key) != null ? outcome
                    : new CodeVerifier.Outcome(CodeVerifier.Result.NO_CODE, Optional.empty(), 0)); // used a moment ago
        }
        if (outcome.next().isEmpty()) {
            s.singleUseObjects().remove(key); // expired, or this was its last try
        }
        return Optional.of(outcome);
    }

    private static Optional<CodeState> state(KeycloakSession s, RealmModel realm, UserModel user) {
        Map<String, String> notes = s.singleUseObjects().get(storeKey(realm, user));
        return notes == null ? Optional.empty() : CodeState.fromNotes("", notes::get);
    }

    static byte[] key(KeycloakSession s, RealmModel realm) {
        return Secrets.key(s, realm, "code");
    }

    static String binding(UserModel user) {
        return "helpdesk-reset|" + user.getId();
    }

    static String storeKey(RealmModel realm, UserModel user) {
        return NAMESPACE + realm.getId() + ":" + user.getId();
    }
}
