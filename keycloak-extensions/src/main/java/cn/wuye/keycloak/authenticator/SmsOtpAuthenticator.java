package cn.wuye.keycloak.authenticator;

import java.net.URI;
import java.util.Optional;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.authenticators.browser.AbstractUsernameFormAuthenticator;
import org.keycloak.credential.CredentialModel;
import org.keycloak.events.Errors;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.utils.FormMessage;

import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.device.TrustedDevice;
import cn.wuye.keycloak.identifier.PhoneNumbers;
import cn.wuye.keycloak.identifier.UserLookup;

/**
 * Second factor by SMS code: on the first sign-in and on every browser not remembered as trusted; always for
 * holders of realm role {@value #PRIVILEGED_ROLE} (who may choose TOTP instead when they have it). An account
 * without a mobile falls back to TOTP, else to a code by email, and the page says so. Wrong codes are failures
 * of category {@code otp}, so the realm's brute-force detection counts them like wrong passwords.
 */
public class SmsOtpAuthenticator extends AbstractUsernameFormAuthenticator {

    public static final String PRIVILEGED_ROLE = "mfa-required";
    public static final String DEVICE_EPOCH_ATTRIBUTE = "wuye_device_epoch";
    static final String METHOD_NOTE = "wuye.login.method";
    private static final Logger LOG = Logger.getLogger(SmsOtpAuthenticator.class);

    private final CodeFlow codes = new CodeFlow("login");

    @Override
    public void authenticate(AuthenticationFlowContext ctx) {
        UserModel user = ctx.getUser();
        boolean privileged = isPrivileged(ctx.getRealm(), user);
        if (!privileged && isTrustedDevice(ctx, user)) {
            LOG.debugf("trusted device for %s: no code asked", user.getUsername());
            ctx.success();
            return;
        }
        String method = defaultMethod(user);
        if (method == null) {
            LOG.warnf("user %s has no mobile, no authenticator app and no email: asking to set up an authenticator app",
                    user.getUsername());
            ctx.getAuthenticationSession().addRequiredAction(UserModel.RequiredAction.CONFIGURE_TOTP);
            ctx.success();
            return;
        }
        ctx.getAuthenticationSession().setAuthNote(METHOD_NOTE, method);
        if (!method.equals("totp")) {
            CodeFlow.Sent sent = codes.send(ctx, user, channel(method), destination(user, method));
            if (!sent.ok()) {
                ctx.challenge(CodePage.error(ctx, model(ctx, user), sent.messageKey(), sent.params()));
                return;
            }
        }
        ctx.challenge(CodePage.render(ctx, model(ctx, user)));
    }

    @Override
    public void action(AuthenticationFlowContext ctx) {
        UserModel user = ctx.getUser();
        MultivaluedMap<String, String> form = ctx.getHttpRequest().getDecodedFormParameters();
        String action = Optional.ofNullable(form.getFirst("action")).orElse("verify");
        String method = Optional.ofNullable(ctx.getAuthenticationSession().getAuthNote(METHOD_NOTE)).orElse(defaultMethod(user));

        switch (action) {
            case "resend" -> {
                if ("totp".equals(method)) {
                    ctx.challenge(CodePage.render(ctx, model(ctx, user)));
                    return;
                }
                CodeFlow.Sent sent = codes.send(ctx, user, channel(method), destination(user, method));
                ctx.challenge(sent.ok() ? CodePage.info(ctx, model(ctx, user), "wuyeCodeResent")
                        : CodePage.error(ctx, model(ctx, user), sent.messageKey(), sent.params()));
                return;
            }
            case "use-totp" -> {
                if (hasTotp(user)) {
                    ctx.getAuthenticationSession().setAuthNote(METHOD_NOTE, "totp");
                }
                ctx.challenge(CodePage.render(ctx, model(ctx, user)));
                return;
            }
            case "use-sms" -> {
                if (UserLookup.phoneOf(user).isPresent()) {
                    ctx.getAuthenticationSession().setAuthNote(METHOD_NOTE, "sms");
                    if (!codes.hasCode(ctx) || codes.channel(ctx).orElse(null) != CodeFlow.Channel.SMS) {
                        CodeFlow.Sent sent = codes.send(ctx, user, CodeFlow.Channel.SMS, destination(user, "sms"));
                        if (!sent.ok()) {
                            ctx.challenge(CodePage.error(ctx, model(ctx, user), sent.messageKey(), sent.params()));
                            return;
                        }
                    }
                }
                ctx.challenge(CodePage.render(ctx, model(ctx, user)));
                return;
            }
            default -> verify(ctx, user, method, form);
        }
    }

    private void verify(AuthenticationFlowContext ctx, UserModel user, String method, MultivaluedMap<String, String> form) {
        // the same order as Keycloak's OTP form: a locked account is told so before any code is looked at
        boolean enabled = enabledUser(ctx, user);
        if (enabled) {
            ctx.getAuthenticationSession().removeAuthNote(SESSION_INVALID);
        }
        if ("true".equals(ctx.getAuthenticationSession().getAuthNote(SESSION_INVALID))) {
            ctx.getEvent().user(user).error(Errors.INVALID_AUTHENTICATION_SESSION);
            return;
        }
        if (!enabled) {
            ctx.getAuthenticationSession().setAuthNote(SESSION_INVALID, "true");
            return;
        }
        String code = form.getFirst(CodePage.FIELD);
        if ("totp".equals(method)) {
            if (checkTotp(user, code)) {
                succeed(ctx, user, form);
                return;
            }
            fail(ctx, user, "wuyeTotpWrong");
            return;
        }
        CodeVerifier.Outcome outcome = codes.verify(ctx, user, code);
        switch (outcome.result()) {
            case OK -> succeed(ctx, user, form);
            case WRONG -> fail(ctx, user, "wuyeCodeWrong", outcome.remainingAttempts());
            case TOO_MANY_ATTEMPTS -> fail(ctx, user, "wuyeCodeTooManyAttempts");
            case EXPIRED -> ctx.challenge(CodePage.expired(ctx, model(ctx, user)));
            default -> ctx.challenge(CodePage.error(ctx, model(ctx, user), "wuyeCodeMissing"));
        }
    }

    private void fail(AuthenticationFlowContext ctx, UserModel user, String key, Object... params) {
        ctx.getEvent().user(user).error(Errors.INVALID_USER_CREDENTIALS);
        Response page = CodePage.error(ctx, model(ctx, user), key, params);
        ctx.failureChallenge(AuthenticationFlowError.INVALID_CREDENTIALS, page);
    }

    private void succeed(AuthenticationFlowContext ctx, UserModel user, MultivaluedMap<String, String> form) {
        codes.clear(ctx);
        ctx.getAuthenticationSession().removeAuthNote(METHOD_NOTE);
        if (!isPrivileged(ctx.getRealm(), user) && "on".equals(form.getFirst("trustDevice"))) {
            rememberDevice(ctx, user);
        }
        ctx.success(OTPCredentialModel.TYPE);
    }

    // -- methods and channels ------------------------------------------------------------------
    static boolean isPrivileged(RealmModel realm, UserModel user) {
        RoleModel role = realm.getRole(PRIVILEGED_ROLE);
        return role != null && user.hasRole(role);
    }

    static boolean hasTotp(UserModel user) {
        return user.credentialManager().isConfiguredFor(OTPCredentialModel.TYPE);
    }

    /** sms when there is a mobile, else totp when set up, else email; null when none is possible. */
    static String defaultMethod(UserModel user) {
        if (UserLookup.phoneOf(user).isPresent()) {
            return "sms";
        }
        if (hasTotp(user)) {
            return "totp";
        }
        if (user.getEmail() != null && !user.getEmail().isBlank()) {
            return "email";
        }
        return null;
    }

    static CodeFlow.Channel channel(String method) {
        return "email".equals(method) ? CodeFlow.Channel.EMAIL : CodeFlow.Channel.SMS;
    }

    static String destination(UserModel user, String method) {
        return "email".equals(method) ? user.getEmail() : UserLookup.phoneOf(user).orElse("");
    }

    private boolean checkTotp(UserModel user, String code) {
        if (code == null || code.isBlank()) {
            return false;
        }
        String entered = cn.wuye.keycloak.code.OneTimeCode.normaliseInput(code);
        return user.credentialManager().getStoredCredentialsByTypeStream(OTPCredentialModel.TYPE)
                .anyMatch(c -> user.credentialManager().isValid(new UserCredentialModel(c.getId(), OTPCredentialModel.TYPE, entered)));
    }

    private CodePage.Model model(AuthenticationFlowContext ctx, UserModel user) {
        CodePage.Model m = new CodePage.Model();
        String method = Optional.ofNullable(ctx.getAuthenticationSession().getAuthNote(METHOD_NOTE)).orElse(defaultMethod(user));
        m.method = method == null ? "sms" : method;
        boolean hasPhone = UserLookup.phoneOf(user).isPresent();
        if ("sms".equals(m.method)) {
            m.destination = PhoneNumbers.mask(UserLookup.phoneOf(user).orElse(""));
        } else if ("email".equals(m.method)) {
            m.destination = maskEmail(user.getEmail());
            m.notice = "wuyeNoMobileUsingEmail";
        } else if (!hasPhone) {
            m.notice = "wuyeNoMobileUsingTotp";
        }
        m.canUseTotp = hasTotp(user) && !"totp".equals(m.method);
        m.canUseSms = hasPhone && !"sms".equals(m.method);
        m.offerTrust = !isPrivileged(ctx.getRealm(), user);
        return m;
    }

    static String maskEmail(String email) {
        if (email == null || email.indexOf('@') < 1) {
            return "";
        }
        int at = email.indexOf('@');
        return email.charAt(0) + "***" + email.substring(at);
    }

    // -- trusted device ------------------------------------------------------------------------
    static TrustedDevice.Binding binding(KeycloakSession session, RealmModel realm, UserModel user) {
        long passwordSet = user.credentialManager().getStoredCredentialsByTypeStream(PasswordCredentialModel.TYPE)
                .map(CredentialModel::getCreatedDate).filter(java.util.Objects::nonNull).mapToLong(Long::longValue).max().orElse(0L);
        long userNotBefore = session.users().getNotBeforeOfUser(realm, user) * 1000L;
        long realmNotBefore = realm.getNotBefore() * 1000L;
        String epoch = Optional.ofNullable(user.getFirstAttribute(DEVICE_EPOCH_ATTRIBUTE)).orElse("");
        return new TrustedDevice.Binding(user.getId(), Math.max(passwordSet, Math.max(userNotBefore, realmNotBefore)), epoch);
    }

    static boolean isTrustedDevice(AuthenticationFlowContext ctx, UserModel user) {
        Cookie cookie = ctx.getHttpRequest().getHttpHeaders().getCookies().get(TrustedDevice.COOKIE_NAME);
        if (cookie == null) {
            return false;
        }
        return TrustedDevice.verify(Secrets.key(ctx.getSession(), ctx.getRealm(), "trusted-device"), cookie.getValue(),
                binding(ctx.getSession(), ctx.getRealm(), user), System.currentTimeMillis());
    }

    private void rememberDevice(AuthenticationFlowContext ctx, UserModel user) {
        String value = TrustedDevice.issue(Secrets.key(ctx.getSession(), ctx.getRealm(), "trusted-device"),
                binding(ctx.getSession(), ctx.getRealm(), user), System.currentTimeMillis());
        URI base = ctx.getUriInfo().getBaseUri();
        String path = base.getPath().replaceAll("/+$", "") + "/realms/" + ctx.getRealm().getName() + "/";
        NewCookie cookie = new NewCookie.Builder(TrustedDevice.COOKIE_NAME)
                .value(value)
                .path(path)
                .maxAge((int) (TrustedDevice.LIFETIME_MILLIS / 1000))
                .httpOnly(true)
                .secure("https".equalsIgnoreCase(base.getScheme()))
                .sameSite(NewCookie.SameSite.LAX)
                .build();
        ctx.getSession().getContext().getHttpResponse().setCookieIfAbsent(cookie);
    }

    // -- Keycloak's form plumbing --------------------------------------------------------------
    /**
     * Keycloak's own checks (a disabled or locked account) answer through this: our code page, built from the
     * request's context (authenticators are shared, so the context is never kept in a field).
     */
    @Override
    protected Response challenge(AuthenticationFlowContext ctx, String error, String field) {
        UserModel user = ctx.getUser();
        LoginFormsProvider form = CodePage.form(ctx, user == null ? new CodePage.Model() : model(ctx, user));
        if (error != null) {
            if (field != null) {
                form.addError(new FormMessage(field, error));
            } else {
                form.setError(error);
            }
        }
        return form.createForm(CodePage.TEMPLATE);
    }

    @Override
    protected String disabledByBruteForceError(String error) {
        return Errors.USER_TEMPORARILY_DISABLED.equals(error) ? "wuyeAccountTemporarilyLocked" : "wuyeAccountPermanentlyLocked";
    }

    @Override
    protected String disabledByBruteForceFieldError() {
        return CodePage.FIELD;
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
