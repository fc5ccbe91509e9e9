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

    /** The code waiting for this account, if the help desk sent one that is still valid and unused. */
    public static Optional<CodeState> waiting(KeycloakSession s, RealmModel realm, UserModel user) {
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
