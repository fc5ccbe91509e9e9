package cn.wuye.keycloak.authenticator;

import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;
import jakarta.ws.rs.core.MultivaluedMap;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.resetcred.AbstractSetRequiredActionAuthenticator;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.messages.Messages;
import org.keycloak.services.validation.Validation;

import cn.wuye.keycloak.activation.Activation;

/**
 * The last step of "forgot password", in place of Keycloak's {@code reset-password}: it sets the new password
 * (realm policy applies) and then sends the person to the normal sign-in page, "password changed, sign in".
 *
 * <p>Why not Keycloak's step: {@code reset-password} only adds the UPDATE_PASSWORD required action, and when the
 * reset flow completes Keycloak runs the user's pending required actions first (CONFIGURE_TOTP: the attacker binds
 * their own authenticator app) and then signs the person in to the client. Its {@code force-login} option (auth
 * note END_AFTER_REQUIRED_ACTIONS) stops the sign-in but still runs the required actions. Here the reset flow
 * never completes: no required action, no user session, no client; Keycloak's own fork (as after "email sent")
 * starts a fresh browser flow on the same client, where the password and the second factor are asked as always.
 * Every other session of the account is signed out, as the update-password page's "sign out other devices" does.
 * The base class is Keycloak's own for reset steps ({@code reset-password} extends it): a user is required.
 */
@AutoService(AuthenticatorFactory.class)
public class ResetNewPassword extends AbstractSetRequiredActionAuthenticator {

    public static final String ID = "wuye-reset-new-password";
    static final String DONE_MESSAGE = "wuyeResetDone";
    static final String ACTIVATED_MESSAGE = "wuyeActivateDone";

    @Override
    public void authenticate(AuthenticationFlowContext ctx) {
        ctx.challenge(ctx.form().setAttribute("username", ctx.getUser().getUsername())
                .createResponse(UserModel.RequiredAction.UPDATE_PASSWORD));
    }

    @Override
    public void action(AuthenticationFlowContext ctx) {
        UserModel user = ctx.getUser();
        MultivaluedMap<String, String> form = ctx.getHttpRequest().getDecodedFormParameters();
        String password = form.getFirst("password-new");
        String confirm = form.getFirst("password-confirm");
        if (Validation.isBlank(password)) {
            refuse(ctx, Errors.PASSWORD_MISSING, new FormMessage(Validation.FIELD_PASSWORD, Messages.MISSING_PASSWORD));
            return;
        }
        if (!password.equals(confirm)) {
            refuse(ctx, Errors.PASSWORD_CONFIRM_ERROR, new FormMessage(Validation.FIELD_PASSWORD_CONFIRM, Messages.NOTMATCH_PASSWORD));
            return;
        }
        try {
            user.credentialManager().updateCredential(UserCredentialModel.password(password, false));
        } catch (ModelException rejected) {
            ctx.getEvent().clone().event(EventType.UPDATE_CREDENTIAL_ERROR).user(user).detail(Details.CREDENTIAL_TYPE, PasswordCredentialModel.TYPE)
                    .detail(Details.REASON, rejected.getMessage()).error(Errors.PASSWORD_REJECTED);
            ctx.challenge(ctx.form().setAttribute("username", user.getUsername())
                    .setError(rejected.getMessage(), rejected.getParameters())
                    .createResponse(UserModel.RequiredAction.UPDATE_PASSWORD));
            return;
        }
        Activation.activated(user, System.currentTimeMillis()); // their own password: activated, by either way in
        ctx.getEvent().clone().event(EventType.UPDATE_CREDENTIAL).user(user).detail(Details.CREDENTIAL_TYPE, PasswordCredentialModel.TYPE).success();
        KeycloakSession session = ctx.getSession();
        session.sessions().getUserSessionsStream(ctx.getRealm(), user).toList()
                .forEach(other -> AuthenticationManager.backchannelLogout(session, other, true));
        ctx.forkWithSuccessMessage(new FormMessage(ResetChooseUser.activation(ctx) ? ACTIVATED_MESSAGE : DONE_MESSAGE));
    }

    private void refuse(AuthenticationFlowContext ctx, String error, FormMessage message) {
        ctx.getEvent().clone().event(EventType.UPDATE_CREDENTIAL_ERROR).user(ctx.getUser()).detail(Details.CREDENTIAL_TYPE, PasswordCredentialModel.TYPE).error(error);
        ctx.challenge(ctx.form().setAttribute("username", ctx.getUser().getUsername()).addError(message)
                .createResponse(UserModel.RequiredAction.UPDATE_PASSWORD));
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye reset: new password, then sign in again";
    }

    @Override
    public String getHelpText() {
        return "Sets the new password under the realm policy and ends the reset on the sign-in page: no required actions, no session.";
    }
}
