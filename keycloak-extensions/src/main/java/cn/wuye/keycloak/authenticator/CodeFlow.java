package cn.wuye.keycloak.authenticator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.SingleUseObjectProvider;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

import cn.wuye.keycloak.code.CodePolicy;
import cn.wuye.keycloak.code.CodeState;
import cn.wuye.keycloak.code.CodeVerifier;
import cn.wuye.keycloak.code.OneTimeCode;
import cn.wuye.keycloak.code.SendLimiter;
import cn.wuye.keycloak.identifier.PhoneNumbers;
import cn.wuye.keycloak.sms.SmsException;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSender;
import cn.wuye.keycloak.sms.SmsSettings;

/**
 * Sending and checking one-time codes inside an authentication session, for one purpose ({@code login} or
 * {@code reset}). Codes live only as a keyed hash in the session's notes; send limits live in Keycloak's
 * cluster-wide single-use store, keyed by account and by client IP.
 */
final class CodeFlow {

    enum Channel { SMS, EMAIL }

    /** @param messageKey null when sent; else the message key to show, with its parameters */
    record Sent(String messageKey, Object... params) {
        boolean ok() {
            return messageKey == null;
        }
    }

    static final CodePolicy POLICY = CodePolicy.DEFAULT;
    private static final Logger LOG = Logger.getLogger(CodeFlow.class);
    private static final long WINDOW_SECONDS = POLICY.window().toSeconds();

    private final String purpose;
    private final String prefix;

    CodeFlow(String purpose) {
        this.purpose = purpose;
        this.prefix = "wuye." + purpose + ".code.";
    }

    Sent send(AuthenticationFlowContext ctx, UserModel user, Channel channel, String destination) {
        KeycloakSession session = ctx.getSession();
        RealmModel realm = ctx.getRealm();
        long now = System.currentTimeMillis();
        SendLimiter limiter = new SendLimiter(policy(realm));
        SingleUseObjectProvider store = session.singleUseObjects();
        String accountKey = "wuye-code-acct:" + realm.getId() + ":" + (user == null ? "unknown:" + destination : user.getId());
        String ipKey = "wuye-code-ip:" + realm.getId() + ":" + clientIp(ctx);
        List<Long> accountSends = read(store, accountKey);
        List<Long> ipSends = read(store, ipKey);
        SendLimiter.Decision decision = limiter.decide(accountSends, ipSends, now);
        if (!decision.allowed()) {
            LOG.infof("Code not sent (%s) for %s in realm %s: %s", purpose, who(user), realm.getName(), decision.reason());
            return switch (decision.reason()) {
                case COOLDOWN -> new Sent("wuyeCodeResendWait", decision.waitSeconds());
                case ACCOUNT_LIMIT -> new Sent("wuyeCodeAccountLimit", (decision.waitSeconds() + 59) / 60);
                default -> new Sent("wuyeCodeIpLimit", (decision.waitSeconds() + 59) / 60);
            };
        }
        write(store, accountKey, limiter.record(accountSends, now));
        write(store, ipKey, limiter.record(ipSends, now));

        String code = OneTimeCode.generate();
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        new CodeState(OneTimeCode.hash(key(ctx), binding(ctx, user), code), now, 0).toNotes(prefix).forEach(auth::setAuthNote);
        auth.setAuthNote(prefix + "channel", channel.name());
        if (user == null) {
            return new Sent(null); // nobody to send to: the page looks the same (no account enumeration)
        }
        String company = realm.getDisplayName() == null ? realm.getName() : realm.getDisplayName();
        String what = "reset".equals(purpose) ? "重置密码" : "登录";
        String text = "【" + company + "】您的" + what + "验证码是 " + code + ",5 分钟内有效。请勿告诉他人,工作人员不会向您索要验证码。";
        try {
            if (channel == Channel.SMS) {
                SmsSender sender = session.getProvider(SmsSender.class, SmsSettings.sender(realm));
                if (sender == null) {
                    throw new SmsException("no SMS sender named " + SmsSettings.sender(realm));
                }
                sender.send(realm, new SmsMessage(realm.getName(), destination, text, code, purpose));
                LOG.infof("Code sent (%s) by SMS to %s for %s in realm %s", purpose, PhoneNumbers.mask(destination), who(user),
                        realm.getName());
            } else {
                EmailSenderProvider email = session.getProvider(EmailSenderProvider.class);
                email.send(realm.getSmtpConfig(), user, company + " " + what + "验证码 / verification code",
                        text + "\n\nYour verification code is " + code + " (valid for 5 minutes).", null);
                LOG.infof("Code sent (%s) by email for %s in realm %s", purpose, who(user), realm.getName());
            }
            return new Sent(null);
        } catch (SmsException | EmailException | RuntimeException e) {
            LOG.warnf("Code NOT delivered (%s) by %s for %s in realm %s: %s", purpose, channel, who(user), realm.getName(),
                    e.getMessage());
            clear(ctx);
            return new Sent("wuyeSmsSendFailed");
        }
    }

    CodeVerifier.Outcome verify(AuthenticationFlowContext ctx, UserModel user, String input) {
        AuthenticationSessionModel auth = ctx.getAuthenticationSession();
        Optional<CodeState> state = CodeState.fromNotes(prefix, auth::getAuthNote);
        CodeVerifier.Outcome outcome = new CodeVerifier(policy(ctx.getRealm())).verify(state, key(ctx), binding(ctx, user), input,
                System.currentTimeMillis());
        if (outcome.next().isPresent()) {
            outcome.next().get().toNotes(prefix).forEach(auth::setAuthNote);
        } else {
            clear(ctx);
        }
        return outcome;
    }

    /** The default policy with the realm's own validity and per-IP cap, when it sets them. */
    static CodePolicy policy(RealmModel realm) {
        return new CodePolicy(SmsSettings.codeValidity(realm, POLICY.validity()), POLICY.maxAttempts(), POLICY.resendCooldown(),
                POLICY.maxPerAccount(), SmsSettings.maxPerIp(realm, POLICY.maxPerClientIp()), POLICY.window());
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

    private static List<Long> read(SingleUseObjectProvider store, String key) {
        Map<String, String> notes = store.get(key);
        return notes == null ? List.of() : SendLimiter.decode(notes.get("sends"));
    }

    private static void write(SingleUseObjectProvider store, String key, List<Long> sends) {
        Map<String, String> notes = new HashMap<>();
        notes.put("sends", SendLimiter.encode(sends));
        store.put(key, WINDOW_SECONDS, notes); // overwrites, and restarts the lifespan from the newest send
    }
}
