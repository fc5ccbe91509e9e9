package cn.wuye.keycloak.authenticator;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.browser.AbstractUsernameFormAuthenticator;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

import cn.wuye.keycloak.code.CodePolicy;
import cn.wuye.keycloak.code.CodeState;
import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.code.Hmac;
import cn.wuye.keycloak.code.OneTimeCode;
import cn.wuye.keycloak.code.SendLimiter;
import cn.wuye.keycloak.code.SingleUseSlots;
import cn.wuye.keycloak.sms.SmsDelivery;
import cn.wuye.keycloak.sms.SmsException;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSettings;

/**
 * Sending and checking one-time codes inside an authentication session, for one purpose ({@code login} or
 * {@code reset}). Sending is three steps: {@link #limit} (atomic, cluster-wide send limits), {@link #issue} (a new
 * code, kept only as a keyed hash in the session's notes) and {@link #deliver}. For {@code reset} the answer must
 * not tell whether the account exists: its limits are keyed by the identifier typed (the account's own apply
 * silently), and its SMS leaves after the request, so known and unknown identifiers take the same time.
 */
final class CodeFlow {

    enum Channel { SMS, EMAIL }

    /** @param messageKey null when sent; else the message key to show, with its parameters */
    record Sent(String messageKey, Object... params) {
        static final Sent OK = new Sent(null);

        boolean ok() {
            return messageKey == null;
        }
    }

    static final CodePolicy POLICY = CodePolicy.DEFAULT;
    /** Auth note set by {@link ResetChooseUser}: the identifier as typed, in its canonical reading. */
    static final String RESET_IDENTIFIER_NOTE = "wuye.reset.identifier";
    static final String BUDGET_EXHAUSTED_EVENT_ERROR = "wuye_sms_budget_exhausted";
    private static final Logger LOG = Logger.getLogger(CodeFlow.class);

    private final String purpose;
    private final String prefix;

    CodeFlow(String purpose) {
        this.purpose = purpose;
        this.prefix = "wuye." + purpose + ".code.";
    }

    Sent send(AuthenticationFlowContext ctx, UserModel user, Channel channel, String destination) {
        return send(ctx, user, channel, destination, false);
    }

    /**
     * @param codeWaiting the person already holds a code for this step (the help desk's reset code): the limits and
     *                    the answer are the same, but no new code is issued or sent
     */
    Sent send(AuthenticationFlowContext ctx, UserModel user, Channel channel, String destination, boolean codeWaiting) {
        SendLimiter.Decision decision = limit(ctx, user);
        if (!decision.answeredAsSent()) {
            return refusal(ctx, user, decision);
        }
        String code = codeWaiting ? OneTimeCode.generate() : issue(ctx, user, channel, decision);
        String text = smsText(ctx, user, code); // composed whether or not it is sent: the same work, the same time
        if (user == null || destination.isEmpty() || !decision.allowed() || codeWaiting) {
            LOG.infof("Code not sent (%s) for %s in realm %s: %s", purpose, who(user), ctx.getRealm().getName(),
                    user == null ? "no such account" : destination.isEmpty() ? "no destination"
                            : codeWaiting ? "the help desk's code is waiting" : "the account's own limit");
            return Sent.OK; // the page looks the same: no account enumeration
        }
        return deliver(ctx, user, channel, destination, code, text);
    }

    // -- limit -----------------------------------------------------------------------------------
    private SendLimiter.Decision limit(AuthenticationFlowContext ctx, UserModel user) {
        RealmModel realm = ctx.getRealm();
        Optional<String> account = Optional.ofNullable(user).map(u -> "acct:" + u.getId());
        SendLimiter.Request request = "reset".equals(purpose)
                ? new SendLimiter.Request(realm.getId(), "id:" + identifierKey(ctx), account, clientIp(ctx))
                : new SendLimiter.Request(realm.getId(), account.orElse("acct:-"), Optional.empty(), clientIp(ctx));
        return limiter(ctx).decide(request, System.currentTimeMillis());
    }

    private Sent refusal(AuthenticationFlowContext ctx, UserModel user, SendLimiter.Decision decision) {
        RealmModel realm = ctx.getRealm();
        LOG.infof("Code not sent (%s) for %s in realm %s: %s", purpose, who(user), realm.getName(), decision.reason());
        long minutes = (decision.waitSeconds() + 59) / 60;
        return switch (decision.reason()) {
            case COOLDOWN -> new Sent("wuyeCodeResendWait", decision.waitSeconds());
            case ACCOUNT_LIMIT -> new Sent("wuyeCodeAccountLimit", minutes);
            case IP_LIMIT -> new Sent("wuyeCodeIpLimit", minutes);
            default -> {
                if (decision.alert()) {
                    alertBudget(ctx);
                }
                yield new Sent("wuyeSmsBudgetExhausted", minutes);
            }
        };
    }

    /** Once per realm and hour (the limiter says when): a WARN line IT can grep and an event in the admin console. */
    private static void alertBudget(AuthenticationFlowContext ctx) {
        RealmModel realm = ctx.getRealm();
        int budget = policy(realm).maxPerRealm();
        LOG.warnf("ALERT wuye SMS budget exhausted in realm %s: %d codes this hour; more are refused until the hour "
                + "turns. An SMS pump, or a busy hour: raise realm attribute %s if the traffic is real.", realm.getName(),
                budget, SmsSettings.MAX_PER_REALM);
        ctx.getEvent().clone().detail("budget", Integer.toString(budget)).detail("setting", SmsSettings.MAX_PER_REALM)
                .error(BUDGET_EXHAUSTED_EVENT_ERROR);
    }

    // -- issue -----------------------------------------------------------------------------------
    private String issue(AuthenticationFlowContext ctx, UserModel user, Channel channel, SendLimiter.Decision decision) {
        String code = OneTimeCode.generate();
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        new CodeState(OneTimeCode.hash(key(ctx), binding(ctx, user), code), System.currentTimeMillis(), 0).toNotes(prefix)
                .forEach(auth::setAuthNote);
        auth.setAuthNote(prefix + "channel", channel.name());
        decision.ipSlot().ifPresent(slot -> auth.setAuthNote(prefix + "ipSlots",
                Stream.concat(ipSlots(auth), Stream.of(slot)).collect(Collectors.joining(","))));
        return code;
    }

    // -- deliver ---------------------------------------------------------------------------------
    /** The SMS as the person reads it, in their language, with the realm's real validity. */
    private String smsText(AuthenticationFlowContext ctx, UserModel user, String code) {
        KeycloakSession session = ctx.getSession();
        RealmModel realm = ctx.getRealm();
        return CodeTexts.format(session, realm, user, "wuyeCodeSmsText", CodeTexts.company(realm), purposeText(ctx, user), code,
                Long.toString(policy(realm).validityMinutes()));
    }

    private String purposeText(AuthenticationFlowContext ctx, UserModel user) {
        return CodeTexts.format(ctx.getSession(), ctx.getRealm(), user,
                !"reset".equals(purpose) ? "wuyeCodePurposeLogin"
                        : ResetChooseUser.activation(ctx) ? "wuyeCodePurposeActivation" : "wuyeCodePurposeReset");
    }

    private Sent deliver(AuthenticationFlowContext ctx, UserModel user, Channel channel, String destination, String code,
                         String text) {
        KeycloakSession session = ctx.getSession();
        RealmModel realm = ctx.getRealm();
        String company = CodeTexts.company(realm);
        String minutes = Long.toString(policy(realm).validityMinutes());
        String what = purposeText(ctx, user);
        try {
            if (channel == Channel.EMAIL) {
                EmailSenderProvider email = session.getProvider(EmailSenderProvider.class);
                email.send(realm.getSmtpConfig(), user, CodeTexts.format(session, realm, user, "wuyeCodeEmailSubject", company, what),
                        CodeTexts.format(session, realm, user, "wuyeCodeEmailText", company, what, code, minutes), null);
                LOG.infof("Code sent (%s) by email for %s in realm %s", purpose, who(user), realm.getName());
                return Sent.OK;
            }
            SmsMessage message = SmsMessage.code(realm.getName(), destination, text, code, policy(realm).validityMinutes(), purpose);
            if ("reset".equals(purpose)) {
                SmsDelivery.afterCommit(session, realm, message); // same answer time, account or not
            } else {
                SmsDelivery.now(session, realm, message); // after the password: a failure can be shown
            }
            return Sent.OK;
        } catch (SmsException | EmailException | RuntimeException e) {
            LOG.warnf("Code NOT delivered (%s) by %s for %s in realm %s: %s", purpose, channel, who(user), realm.getName(),
                    e.getMessage());
            clear(ctx);
            return new Sent("wuyeSmsSendFailed");
        }
    }

    // -- verify ----------------------------------------------------------------------------------
    CodeVerifier.Outcome verify(AuthenticationFlowContext ctx, UserModel user, String input) {
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        Optional<CodeState> state = CodeState.fromNotes(prefix, auth::getAuthNote);
        CodeVerifier.Outcome outcome = new CodeVerifier(policy(ctx.getRealm())).verify(state, key(ctx), binding(ctx, user), input,
                System.currentTimeMillis());
        if (outcome.result() == CodeVerifier.Result.OK) {
            SendLimiter limiter = limiter(ctx);
            ipSlots(auth).forEach(limiter::free); // a person who verifies is no pump: the address gets its slots back
            if (user != null) {
                limiter.endCooldown(ctx.getRealm().getId(), "acct:" + user.getId());
            }
            auth.removeAuthNote(prefix + "ipSlots");
        }
        if (outcome.next().isPresent()) {
            outcome.next().get().toNotes(prefix).forEach(auth::setAuthNote);
        } else {
            clear(ctx);
        }
        return outcome;
    }

    /** The default policy with the realm's own validity, per-IP cap and SMS budget, when it sets them. */
    static CodePolicy policy(RealmModel realm) {
        return new CodePolicy(SmsSettings.codeValidity(realm, POLICY.validity()), POLICY.maxAttempts(), POLICY.resendCooldown(),
                POLICY.maxPerAccount(), SmsSettings.maxPerIp(realm, POLICY.maxPerClientIp()),
                SmsSettings.maxPerRealm(realm, POLICY.maxPerRealm()));
    }

    boolean hasCode(AuthenticationFlowContext ctx) {
        return CodeState.fromNotes(prefix, ctx.getAuthenticationSession()::getAuthNote).isPresent();
    }

    Optional<Channel> channel(AuthenticationFlowContext ctx) {
        String c = ctx.getAuthenticationSession().getAuthNote(prefix + "channel");
        return c == null ? Optional.empty() : Optional.of(Channel.valueOf(c));
    }

    void clear(AuthenticationFlowContext ctx) {
        for (String n : CodeState.noteNames(prefix)) {
            ctx.getAuthenticationSession().removeAuthNote(n);
        }
    }

    private SendLimiter limiter(AuthenticationFlowContext ctx) {
        return new SendLimiter(policy(ctx.getRealm()), new SingleUseSlots(ctx.getSession().singleUseObjects()));
    }

    private Stream<String> ipSlots(AuthenticationSessionModel auth) {
        String slots = auth.getAuthNote(prefix + "ipSlots");
        return slots == null || slots.isEmpty() ? Stream.empty() : Arrays.stream(slots.split(","));
    }

    /** The forgot-password identifier, keyed (no phone number or email in the store), the same for every spelling. */
    private String identifierKey(AuthenticationFlowContext ctx) {
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        String typed = Optional.ofNullable(auth.getAuthNote(RESET_IDENTIFIER_NOTE))
                .orElse(Optional.ofNullable(auth.getAuthNote(AbstractUsernameFormAuthenticator.ATTEMPTED_USERNAME)).orElse(""));
        return java.util.HexFormat.of().formatHex(Hmac.sha256(Secrets.key(ctx.getSession(), ctx.getRealm(), "limit"), typed));
    }

    private byte[] key(AuthenticationFlowContext ctx) {
        return Secrets.key(ctx.getSession(), ctx.getRealm(), "code");
    }

    private String binding(AuthenticationFlowContext ctx, UserModel user) {
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        return purpose + "|" + (user == null ? "-" : user.getId()) + "|" + auth.getParentSession().getId() + "|" + auth.getTabId();
    }

    static String clientIp(AuthenticationFlowContext ctx) {
        try {
            String ip = ctx.getConnection().getRemoteAddr();
            return ip == null ? "unknown" : ip;
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    private static String who(UserModel user) {
        return user == null ? "an unknown account" : "user " + user.getUsername();
    }
}
