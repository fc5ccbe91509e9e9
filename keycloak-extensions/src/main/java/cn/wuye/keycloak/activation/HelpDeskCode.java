package cn.wuye.keycloak.activation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import cn.wuye.keycloak.authenticator.CodeTexts;
import cn.wuye.keycloak.authenticator.Secrets;
import cn.wuye.keycloak.code.CodePolicy;
import cn.wuye.keycloak.code.CodeState;
import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.code.OneTimeCode;
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
        String text = CodeTexts.format(s, realm, locale, "wuyeHelpDeskCodeSmsText", CodeTexts.company(realm), code,
                Long.toString(Math.max(1, (validity + 59) / 60)), user.getUsername());
        return new SmsMessage(realm.getName(), phone, text, code, "reset-code");
    }

    /** Whether the help desk's code for this account is waiting: sent, still valid, unused and not guessed out. */
    public static boolean waiting(KeycloakSession s, RealmModel realm, UserModel user, CodePolicy policy, long now) {
        return state(s, realm, user).filter(c -> c.failures() < policy.maxAttempts()
                && now - c.issuedAtMillis() <= policy.validity().toMillis()).isPresent();
    }

    /**
     * Checks {@code input} against the account's help-desk code; empty when none is held. Single use: of parallel
     * right answers only the one that removes the code wins. A wrong answer counts on the code (void after the
     * policy's tries); the caller counts it towards the account's lockout as for any code.
     */
    public static Optional<CodeVerifier.Outcome> verify(KeycloakSession s, RealmModel realm, UserModel user, String input,
                                                        CodePolicy policy, long now) {
        Optional<CodeState> held = state(s, realm, user);
        if (held.isEmpty()) {
            return Optional.empty();
        }
        String key = storeKey(realm, user);
        CodeVerifier.Outcome outcome = new CodeVerifier(policy).verify(held, key(s, realm), binding(user), input, now);
        if (outcome.result() == CodeVerifier.Result.OK) {
            return Optional.of(s.singleUseObjects().remove(key) != null ? outcome
                    : new CodeVerifier.Outcome(CodeVerifier.Result.NO_CODE, Optional.empty(), 0)); // used a moment ago
        }
        if (outcome.next().isPresent()) {
            long left = policy.validity().toMillis() - (now - held.get().issuedAtMillis());
            s.singleUseObjects().put(key, Math.max(1, left / 1000), outcome.next().get().toNotes("")); // expires as issued
        } else {
            s.singleUseObjects().remove(key);
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
