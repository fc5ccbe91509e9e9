package cn.wuye.keycloak.activation;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.KeycloakTransactionManager;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.timer.ScheduledTask;

import cn.wuye.keycloak.authenticator.CodeTexts;
import cn.wuye.keycloak.code.DrainPacer;
import cn.wuye.keycloak.code.SingleUseSlots;
import cn.wuye.keycloak.identifier.UserLookup;
import cn.wuye.keycloak.sms.SmsDelivery;
import cn.wuye.keycloak.sms.SmsException;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSettings;
import cn.wuye.keycloak.sms.SmsTemplate;

/**
 * One round of the activation drain (every second, on one node of the cluster at a time): finds the accounts
 * waiting for an activation SMS or a help-desk reset code, and sends each one in a transaction of its own:
 * claim (paced per realm and per account, atomically across nodes), mark as sent, send through the realm's
 * gateway, commit. A gateway failure rolls the account back to waiting, pauses its realm a few seconds and is
 * logged without the number or the text. The login-code hourly budget is not touched: it guards the login page.
 */
public final class ActivationDrain implements ScheduledTask {

    static final String TASK = "wuye-activation-drain";
    static final long INTERVAL_MILLIS = 1000;
    /** Accounts read per realm and round (a realm sends at most its per-second count anyway); more wait. */
    static final int PER_REALM = 200;
    /** A round starts no send after this (a slow gateway must not hold Keycloak's timer thread for long). */
    static final Duration ROUND_BUDGET = Duration.ofSeconds(3);
    static final Duration FAILURE_PAUSE = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(ActivationDrain.class);

    /** {@code KIND_BLOCKED}: the realm cannot send this kind of SMS yet (its vendor template is not set). */
    enum Outcome { SENT, SKIPPED, REALM_DONE, KIND_BLOCKED }

    private volatile boolean stopped;

    /** The server is shutting down: rounds still fired by the timer do nothing (the database may be closed). */
    public void stop() {
        stopped = true;
    }

    @Override
    public String getTaskName() {
        return TASK;
    }

    @Override
    public void run(KeycloakSession session) {
        if (stopped) {
            return;
        }
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        long deadline = System.currentTimeMillis() + ROUND_BUDGET.toMillis();
        Set<String> realmsDone = new HashSet<>();
        Set<String> kindsBlocked = new HashSet<>();
        List<PendingAccounts.Pending> queue;
        try {
            queue = PendingAccounts.find(session, PER_REALM);
        } catch (RuntimeException e) {
            if (stopped) {
                return; // the server is stopping and its database is gone: nothing to report
            }
            throw e;
        }
        for (PendingAccounts.Pending pending : queue) {
            if (stopped || System.currentTimeMillis() > deadline) {
                return;
            }
            String kindInRealm = pending.realmId() + ":" + pending.kind();
            if (realmsDone.contains(pending.realmId()) || kindsBlocked.contains(kindInRealm)) {
                continue;
            }
            Outcome outcome = inTransaction(factory, pending);
            if (outcome == Outcome.REALM_DONE) {
                realmsDone.add(pending.realmId());
            } else if (outcome == Outcome.KIND_BLOCKED) {
                kindsBlocked.add(kindInRealm);
            }
        }
    }

    /** One account in a session and transaction of its own: a failed send leaves nothing behind. */
    private static Outcome inTransaction(KeycloakSessionFactory factory, PendingAccounts.Pending pending) {
        KeycloakSession s = factory.create();
        KeycloakTransactionManager tx = s.getTransactionManager();
        try {
            tx.begin();
            Outcome outcome = drain(s, pending);
            tx.commit();
            return outcome;
        } catch (SmsException e) {
            LOG.warnf("Activation drain: %s SMS NOT sent in realm %s (stays queued, retried after %d s): %s",
                    pending.kind(), pending.realmId(), FAILURE_PAUSE.toSeconds(), e.getMessage());
            rollback(tx);
            return Outcome.REALM_DONE;
        } catch (RuntimeException e) {
            LOG.warnf(e, "Activation drain: account %s in realm %s failed (stays queued)", pending.userId(), pending.realmId());
            rollback(tx);
            return Outcome.SKIPPED;
        } finally {
            s.close();
        }
    }

    private static void rollback(KeycloakTransactionManager tx) {
        if (tx.isActive()) {
            tx.rollback();
        }
    }

    private static Outcome drain(KeycloakSession s, PendingAccounts.Pending pending) throws SmsException {
        RealmModel realm = s.realms().getRealm(pending.realmId());
        if (realm == null) {
            return Outcome.SKIPPED;
        }
        s.getContext().setRealm(realm);
        if (!ready(s, realm, pending.kind())) {
            return Outcome.KIND_BLOCKED;
        }
        UserModel user = s.users().getUserById(realm, pending.userId());
        if (user == null || !stillQueued(user, pending.kind())) {
            return Outcome.SKIPPED;
        }
        DrainPacer pacer = new DrainPacer(new SingleUseSlots(s.singleUseObjects()));
        if (pacer.realmPaused(realm.getId())) {
            return Outcome.REALM_DONE;
        }
        if (!user.isEnabled()) {
            return Outcome.SKIPPED; // queued until IT enables the account again
        }
        String phone = UserLookup.phoneOf(user).orElse("");
        if (phone.isEmpty()) {
            if (s.singleUseObjects().putIfAbsent("wuye-drain:nophone:" + user.getId(), 3600)) {
                LOG.warnf("Activation drain: user %s in realm %s has no valid mobile; the %s SMS waits until one is added",
                        user.getUsername(), realm.getName(), pending.kind());
            }
            return Outcome.SKIPPED;
        }
        long now = System.currentTimeMillis();
        OptionalLong last = lastSent(user);
        if (!DrainPacer.due(last, now)) {
            return Outcome.SKIPPED; // one SMS per account per minute: this one waits in the queue
        }
        if (!pacer.realmSlot(realm.getId(), SmsSettings.activationPerSecond(realm), now)) {
            return Outcome.REALM_DONE;
        }
        if (!pacer.claimAccount(realm.getId(), user.getId(), last, now)) {
            return Outcome.SKIPPED;
        }
        try {
            SmsMessage message = pending.kind() == PendingAccounts.Kind.ACTIVATION
                    ? activation(s, realm, user, phone, now)
                    : HelpDeskCode.issue(s, realm, user, phone, now);
            SmsDelivery.now(s, realm, message);
            return Outcome.SENT;
        } catch (SmsException | RuntimeException e) {
            pacer.releaseAccount(realm.getId(), user.getId());
            pacer.pauseRealm(realm.getId(), FAILURE_PAUSE);
            throw e;
        }
    }

    /**
     * Whether the realm's gateway can send this kind of SMS; if its vendor template is not set the accounts stay
     * queued (they leave once IT sets it) and a WARN names the attribute, once per realm and kind per hour.
     */
    private static boolean ready(KeycloakSession s, RealmModel realm, PendingAccounts.Kind kind) throws SmsException {
        try {
            SmsDelivery.ready(s, realm, kind.template);
            return true;
        } catch (SmsTemplate.MissingTemplate e) {
            if (s.singleUseObjects().putIfAbsent("wuye-drain:notemplate:" + realm.getId() + ":" + kind, 3600)) {
                LOG.warnf("Activation drain: %s SMS stay queued in realm %s: %s", kind, realm.getName(), e.getMessage());
            }
            return false;
        }
    }

    private static boolean stillQueued(UserModel user, PendingAccounts.Kind kind) {
        return kind == PendingAccounts.Kind.ACTIVATION
                ? Activation.PENDING.equals(user.getFirstAttribute(Activation.STATE))
                : user.getFirstAttribute(Activation.RESET_CODE_REQUESTED) != null;
    }

    /** The later of the account's last activation SMS and last help-desk reset code. */
    private static OptionalLong lastSent(UserModel user) {
        OptionalLong a = Activation.millis(user, Activation.SENT_AT);
        OptionalLong b = Activation.millis(user, Activation.RESET_CODE_SENT_AT);
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong()));
    }

    /** Marks the account as sent and composes its SMS: company, 工号, the address without scheme, how to activate. */
    private static SmsMessage activation(KeycloakSession s, RealmModel realm, UserModel user, String phone, long now) {
        Locale locale = ActivationText.locale(user.getFirstAttribute(UserModel.LOCALE));
        String address = ActivationText.address(SmsSettings.attribute(realm, SmsSettings.SIGN_IN_ADDRESS, ""));
        String text = ActivationText.checked(CodeTexts.format(s, realm, locale, "wuyeActivationSmsText",
                CodeTexts.company(realm), user.getUsername(), address));
        user.setSingleAttribute(Activation.STATE, Activation.SENT);
        user.setSingleAttribute(Activation.SENT_AT, Long.toString(now));
        return SmsMessage.activation(realm.getName(), phone, text, CodeTexts.company(realm), user.getUsername());
    }
}
