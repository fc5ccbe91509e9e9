package cn.wuye.keycloak.authenticator;

import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;

import java.util.Optional;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.util.AuthenticatorUtils;
import org.keycloak.events.Errors;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;

import cn.wuye.keycloak.activation.HelpDeskCode;
import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.identifier.PhoneNumbers;
import cn.wuye.keycloak.identifier.UserLookup;

/**
 * "Forgot password" by SMS: a code to the account's bound mobile; right code → the flow goes on to the new
 * password (Keycloak's {@code reset-password}, so the realm's password policy applies). REQUIRED, followed by a
 * conditional sub-flow ({@link ResetByEmailCondition}) holding {@code reset-credential-email}: "use the email
 * link instead", an account without a mobile, and the return from an email link step aside here and let the
 * email way finish. Same limits as sign-in codes; wrong codes count towards the brute-force lockout. A reset code the
 * help desk sent ({@link HelpDeskCode}) is taken instead of a fresh one, with the same page and the same work.
 */
@AutoService(AuthenticatorFactory.class)
public class ResetSmsCode implements Authenticator, NoConfigAuthenticatorFactory {

    public static final String ID = "wuye-reset-sms-code";
    private final CodeFlow codes = new CodeFlow("reset");

    @Override
    public void authenticate(AuthenticationFlowContext ctx) {
        UserModel user = ctx.getUser();
        if (ResetByEmailCondition.emailWay(ctx)) {
            ctx.success(); // the email link was chosen, or we are back from it: the email sub-flow does the job
            return;
        }
        boolean helpDeskCode = user != null && HelpDeskCode.waiting(ctx.getSession(), ctx.getRealm(), user, CodeFlow.policy(ctx.getRealm()),
                System.currentTimeMillis());
        CodeFlow.Sent sent = codes.send(ctx, user, CodeFlow.Channel.SMS, user == null ? "" : UserLookup.phoneOf(user).orElse(""),
                helpDeskCode);
        ctx.challenge(sent.ok() ? CodePage.render(ctx, model(ctx, user)) : CodePage.error(ctx, model(ctx, user), sent.messageKey(), sent.params()));
    }

    /** The session's own code first; the help desk's reset code when that is the one typed, or the only one held. */
    private CodeVerifier.Outcome verify(AuthenticationFlowContext ctx, UserModel user, String input) {
        CodeVerifier.Outcome outcome = codes.verify(ctx, user, input);
        if (user == null || outcome.result() == CodeVerifier.Result.OK) {
            return outcome;
        }
        Optional<CodeVerifier.Outcome> desk = HelpDeskCode.verify(ctx.getSession(), ctx.getRealm(), user, input,
                CodeFlow.policy(ctx.getRealm()), System.currentTimeMillis());
        boolean useDesk = desk.isPresent() && (desk.get().result() == CodeVerifier.Result.OK || outcome.result() == CodeVerifier.Result.NO_CODE);
        return useDesk ? desk.get() : outcome;
    }

    @Override
    public void action(AuthenticationFlowContext ctx) {
        UserModel user = ctx.getUser();
        MultivaluedMap<String, String> form = ctx.getHttpRequest().getDecodedFormParameters();
        String action = Optional.ofNullable(form.getFirst("action")).orElse("verify");
        if ("use-email-link".equals(action)) {
            codes.clear(ctx);
            ctx.getAuthenticationSession().setAuthNote(ResetByEmailCondition.CHOSEN_NOTE, "true");
            ctx.success(); // the email sub-flow that follows is now required
            return;
        }
        if ("resend".equals(action)) {
            CodeFlow.Sent sent = codes.send(ctx, user, CodeFlow.Channel.SMS, user == null ? "" : UserLookup.phoneOf(user).orElse(""));
            ctx.challenge(sent.ok() ? CodePage.info(ctx, model(ctx, user), "wuyeCodeResent")
                    : CodePage.error(ctx, model(ctx, user), sent.messageKey(), sent.params()));
            return;
        }
        if (user != null) {
            String locked = AuthenticatorUtils.getDisabledByBruteForceEventError(ctx, user);
            if (locked != null) {
                ctx.getEvent().user(user).error(locked);
                ctx.forceChallenge(CodePage.error(ctx, model(ctx, user), Errors.USER_TEMPORARILY_DISABLED.equals(locked)
                        ? "wuyeAccountTemporarilyLocked" : "wuyeAccountPermanentlyLocked"));
                return;
            }
        }
        CodeVerifier.Outcome outcome = verify(ctx, user, form.getFirst(CodePage.FIELD));
        if (user == null && outcome.result() == CodeVerifier.Result.OK) {
            outcome = new CodeVerifier.Outcome(CodeVerifier.Result.WRONG, Optional.empty(), 0); // cannot happen: nothing was sent
        }
        switch (outcome.result()) {
            case OK -> {
                ctx.getEvent().user(user).detail("reset_by", "sms");
                ctx.success(OTPCredentialModel.TYPE);
            }
            case WRONG -> fail(ctx, user, "wuyeCodeWrong", Math.max(outcome.remainingAttempts(), 0));
            case TOO_MANY_ATTEMPTS -> fail(ctx, user, "wuyeCodeTooManyAttempts");
            case EXPIRED -> ctx.challenge(CodePage.expired(ctx, model(ctx, user)));
            default -> ctx.challenge(CodePage.error(ctx, model(ctx, user), "wuyeCodeMissing"));
        }
    }

    private void fail(AuthenticationFlowContext ctx, UserModel user, String key, Object... params) {
        if (user != null) {
            ctx.getEvent().user(user);
        }
        ctx.getEvent().error(Errors.INVALID_USER_CREDENTIALS);
        Response page = CodePage.error(ctx, model(ctx, user), key, params);
        ctx.failureChallenge(AuthenticationFlowError.INVALID_CREDENTIALS, page);
    }

    private CodePage.Model model(AuthenticationFlowContext ctx, UserModel user) {
        CodePage.Model m = new CodePage.Model();
        m.purpose = ResetChooseUser.activation(ctx) ? ResetChooseUser.ACTIVATION : "reset";
        m.method = "sms";
        m.destination = user == null ? "" : PhoneNumbers.mask(UserLookup.phoneOf(user).orElse(""));
        m.canUseEmailLink = true;
        return m;
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new ResetSmsCode();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye reset by SMS code";
    }

    @Override
    public String getHelpText() {
        return "Sends a 6-digit code to the bound mobile; without a mobile, or on request, hands over to the email link.";
    }

    @Override
    public String getReferenceCategory() {
        return OTPCredentialModel.TYPE;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {AuthenticationExecutionModel.Requirement.ALTERNATIVE,
                AuthenticationExecutionModel.Requirement.REQUIRED, AuthenticationExecutionModel.Requirement.DISABLED};
    }

    @Override
    public void close() {
    }
}
