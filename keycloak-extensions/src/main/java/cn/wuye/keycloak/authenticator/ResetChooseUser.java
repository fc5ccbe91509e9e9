package cn.wuye.keycloak.authenticator;

import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.browser.AbstractUsernameFormAuthenticator;
import org.keycloak.authentication.authenticators.resetcred.ResetCredentialChooseUser;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.services.messages.Messages;
import org.keycloak.services.validation.Validation;

import cn.wuye.keycloak.identifier.Identifier;
import cn.wuye.keycloak.identifier.UserLookup;

/**
 * "Forgot password": Keycloak's choose-user step, taking any of 工号, 手机号 or 邮箱. As in Keycloak's own, an
 * unknown, ambiguous or disabled account continues without a user, so the pages never tell which it was.
 *
 * <p>"首次登录 / 激活账号" enters the same flow with {@code wuye_purpose=activation} on the link: every rule of
 * forgot-password holds by construction, only the wording of the pages and of the code SMS differs.
 */
@AutoService(AuthenticatorFactory.class)
public class ResetChooseUser extends ResetCredentialChooseUser {

    public static final String ID = "wuye-reset-choose-user";
    /** Query parameter of the sign-in page's activation link, and the auth note that keeps it for the flow. */
    static final String PURPOSE_PARAM = "wuye_purpose";
    static final String PURPOSE_NOTE = "wuye.reset.purpose";
    static final String ACTIVATION = "activation";

    /** Whether this reset flow was entered as "首次登录 / 激活账号". */
    static boolean activation(AuthenticationFlowContext ctx) {
        return ACTIVATION.equals(ctx.getAuthenticationSession().getAuthNote(PURPOSE_NOTE));
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        // each visit of the page says which way it was entered: the activation link, or 忘记密码
        if (ACTIVATION.equals(context.getUriInfo().getQueryParameters().getFirst(PURPOSE_PARAM))) {
            context.getAuthenticationSession().setAuthNote(PURPOSE_NOTE, ACTIVATION);
        } else {
            context.getAuthenticationSession().removeAuthNote(PURPOSE_NOTE);
        }
        context.form().setAttribute("wuyeActivation", activation(context));
        super.authenticate(context);
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        EventBuilder event = context.getEvent();
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        Identifier id = Identifier.parse(formData.getFirst("username"));
        context.form().setAttribute("wuyeActivation", activation(context));
        if (id.isEmpty()) {
            event.error(Errors.USERNAME_MISSING);
            Response challenge = context.form()
                    .addError(new FormMessage(Validation.FIELD_USERNAME, Messages.MISSING_USERNAME))
                    .createPasswordReset();
            context.failureChallenge(AuthenticationFlowError.INVALID_USER, challenge);
            return;
        }
        UserLookup.Result found = UserLookup.find(context.getSession(), context.getRealm(), id);
        UserModel user = found.user().orElse(null);
        context.getAuthenticationSession().setAuthNote(AbstractUsernameFormAuthenticator.ATTEMPTED_USERNAME,
                user == null ? id.cleaned() : user.getUsername());
        context.getAuthenticationSession().setAuthNote(CodeFlow.RESET_IDENTIFIER_NOTE, id.phone().or(id::email).orElse(id.username()));
        if (found.status() == UserLookup.Status.AMBIGUOUS) {
            event.clone().detail(Details.USERNAME, id.kind().name()).detail("matching_accounts", String.join(",", found.usernames()))
                    .error(IdentifierPasswordForm.AMBIGUOUS_EVENT_ERROR);
            context.clearUser();
        } else if (user == null) {
            event.clone().detail(Details.USERNAME, id.kind().name()).error(Errors.USER_NOT_FOUND);
            context.clearUser();
        } else if (!user.isEnabled()) {
            event.clone().detail(Details.USERNAME, user.getUsername()).user(user).error(Errors.USER_DISABLED);
            context.clearUser();
        } else {
            context.getAuthenticationSession().setAuthNote(RESET_CREDENTIAL_USER_CHOSEN, "true");
            context.setUser(user);
        }
        context.success();
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return this;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye choose user (工号/手机号/邮箱)";
    }

    @Override
    public String getHelpText() {
        return "Forgot password: finds the account by employee number, mobile or email without telling whether it exists.";
    }
}
