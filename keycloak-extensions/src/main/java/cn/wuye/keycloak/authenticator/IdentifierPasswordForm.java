package cn.wuye.keycloak.authenticator;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.authenticators.browser.UsernamePasswordForm;
import org.keycloak.authentication.authenticators.util.AuthenticatorUtils;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.validation.Validation;

import cn.wuye.keycloak.identifier.Identifier;
import cn.wuye.keycloak.identifier.PhoneNumbers;
import cn.wuye.keycloak.identifier.UserLookup;

/**
 * Keycloak's username/password form, with one field that takes 工号, 手机号 or 邮箱.
 *
 * <p>The error never tells whether an account exists; an identifier naming two accounts is refused and logged
 * for IT. Password checks, brute-force detection and the disabled-account message stay Keycloak's own.
 */
public class IdentifierPasswordForm extends UsernamePasswordForm {

    public static final String AMBIGUOUS_EVENT_ERROR = "wuye_identifier_ambiguous";
    private static final Logger LOG = Logger.getLogger(IdentifierPasswordForm.class);

    public IdentifierPasswordForm(KeycloakSession session) {
        super(session);
    }

    @Override
    protected boolean validateForm(AuthenticationFlowContext context, MultivaluedMap<String, String> formData) {
        if (isUserAlreadySetBeforeUsernamePasswordAuth(context)) {
            return super.validateForm(context, formData);
        }
        context.clearUser();
        Identifier id = Identifier.parse(formData.getFirst(AuthenticationManager.FORM_USERNAME));
        // a note left by an earlier try must not make brute-force bookkeeping blame another account
        context.getAuthenticationSession().removeAuthNote(ATTEMPTED_USERNAME);
        if (id.isEmpty()) {
            context.getEvent().error(Errors.USER_NOT_FOUND);
            Response challenge = challenge(context, getDefaultChallengeMessage(context), Validation.FIELD_USERNAME);
            context.failureChallenge(AuthenticationFlowError.INVALID_USER, challenge);
            return false;
        }
        String shown = id.kind() == Identifier.Kind.PHONE ? PhoneNumbers.mask(id.phone().orElseThrow()) : id.cleaned();
        context.getEvent().detail(Details.USERNAME, shown).detail("identifier_kind", id.kind().name().toLowerCase());

        UserLookup.Result found = UserLookup.find(context.getSession(), context.getRealm(), id);
        switch (found.status()) {
            case AMBIGUOUS -> {
                AuthenticatorUtils.dummyHash(context);
                context.getEvent().detail("matching_accounts", String.join(",", found.usernames())).error(AMBIGUOUS_EVENT_ERROR);
                Response challenge = challenge(context, getDefaultChallengeMessage(context), Validation.FIELD_USERNAME);
                context.failureChallenge(AuthenticationFlowError.INVALID_USER, challenge);
                return false;
            }
            case NOT_FOUND -> {
                context.getAuthenticationSession().setAuthNote(ATTEMPTED_USERNAME, id.cleaned());
                testInvalidUser(context, null);
                return false;
            }
            default -> {
                UserModel user = found.user().orElseThrow();
                // brute-force bookkeeping finds the account again through this note: give it the real username
                context.getAuthenticationSession().setAuthNote(ATTEMPTED_USERNAME, user.getUsername());
                if (!validatePassword(context, user, formData, true)) {
                    return false;
                }
                if (!enabledUser(context, user)) {
                    return false;
                }
                AuthenticatorUtils.processRememberMe(context, formData);
                context.setUser(user);
                LOG.debugf("user %s signed in by %s", user.getUsername(), id.kind());
                return true;
            }
        }
    }

    @Override
    protected String getDefaultChallengeMessage(AuthenticationFlowContext context) {
        return "wuyeInvalidIdentifierOrPassword";
    }

    @Override
    protected String disabledByBruteForceError(String error) {
        if (Errors.USER_TEMPORARILY_DISABLED.equals(error)) {
            return "wuyeAccountTemporarilyLocked";
        }
        return "wuyeAccountPermanentlyLocked";
    }
}
