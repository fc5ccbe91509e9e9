package cn.wuye.keycloak.authenticator;

import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.models.UserModel;

/**
 * Condition of the SMS second-factor sub-flow: true when this sign-in must ask a code, i.e. the account holds
 * realm role {@value SmsOtpAuthenticator#PRIVILEGED_ROLE} or the browser is not a trusted device of the account.
 *
 * <p>Why a condition and not only the SMS step's own check: Keycloak records every execution that succeeds as an
 * authentication method of the session (the {@code amr} claim of {@code oidc-amr-mapper}). A trusted browser that
 * skipped the code inside the SMS step would be reported as "sms"; skipped by this condition, it is reported as
 * password only, so the workbench's step-up sees the truth.
 */
@AutoService(AuthenticatorFactory.class)
public class SecondFactorDueCondition implements NoConfigCondition {

    public static final String ID = "wuye-condition-second-factor-due";

    @Override
    public boolean matchCondition(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        return user == null || SmsOtpAuthenticator.isPrivileged(context.getRealm(), user)
                || !SmsOtpAuthenticator.isTrustedDevice(context, user);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye condition - second factor due";
    }

    @Override
    public String getHelpText() {
        return "True for accounts with role mfa-required and on browsers that are not a trusted device of the account.";
    }
}
