package cn.wuye.keycloak.authenticator;


import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.models.DefaultActionTokenKey;


/**
 * Condition of the "reset by email link" sub-flow: true when the person asked for the email link, and on the return
 * from an email link. An account without a mobile sees the code page like an unknown identifier (nothing is sent)
 * and chooses the email link there: the page never tells whether an account exists or has a phone. Keycloak's {@code reset-credential-email} must run
 * as REQUIRED (as an ALTERNATIVE its "email sent" fork is swallowed), hence a conditional sub-flow.
 */
@AutoService(AuthenticatorFactory.class)
public class ResetByEmailCondition implements NoConfigCondition {

    public static final String ID = "wuye-condition-reset-by-email";
    static final String CHOSEN_NOTE = "wuye.reset.byEmail";

    static boolean emailWay(AuthenticationFlowContext ctx) {
        if ("true".equals(ctx.getAuthenticationSession().getAuthNote(CHOSEN_NOTE))) {
            return true;
        }
        return ctx.getAuthenticationSession().getAuthNote(DefaultActionTokenKey.ACTION_TOKEN_USER_ID) != null;
    }

    @Override
    public boolean matchCondition(AuthenticationFlowContext context) {
        return emailWay(context);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye condition - reset by email link";
    }

    @Override
    public String getHelpText() {
        return "True when the email link was chosen, or the flow resumes from an email link.";
    }

}
