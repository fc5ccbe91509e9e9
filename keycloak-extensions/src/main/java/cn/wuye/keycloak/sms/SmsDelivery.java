package cn.wuye.keycloak.sms;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import cn.wuye.keycloak.identifier.PhoneNumbers;

/**
 * Hands one message to the realm's {@link SmsSender}: now ({@link #now}, the caller waits and sees a failure), or
 * after the request's transaction commits, on a small bounded pool ({@link #afterCommit}): the answer then takes
 * the same time whether a message goes out or not, which is what keeps "forgot password" from telling who exists.
 */
public final class SmsDelivery {

    private static final Logger LOG = Logger.getLogger(SmsDelivery.class);
    /** Two senders and 500 waiting: a gateway at its 30 s maximum timeout still drains in minutes, memory bounded. */
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(500), daemonThreads(), new ThreadPoolExecutor.AbortPolicy());

    private SmsDelivery() {
    }

    /** Sends now; throws when the realm's sender is missing or the gateway fails. */
    public static void now(KeycloakSession session, RealmModel realm, SmsMessage message) throws SmsException {
        sender(session, realm).send(realm, message);
        LOG.infof("Code sent (%s) by SMS to %s in realm %s", message.purpose(), PhoneNumbers.mask(message.to()), realm.getName());
    }

    /** Throws when the realm's sender could not send a message of this kind (e.g. its vendor template is not set). */
    public static void ready(KeycloakSession session, RealmModel realm, SmsTemplate template) throws SmsException {
        sender(session, realm).ready(realm, template);
    }

    private static SmsSender sender(KeycloakSession session, RealmModel realm) throws SmsException {
        SmsSender sender = session.getProvider(SmsSender.class, SmsSettings.sender(realm));
        if (sender == null) {
            throw new SmsException("no SMS sender named " + SmsSettings.sender(realm));
        }
        return sender;
    }

    /** Sends once the current transaction has committed, in a session of its own; failures are logged only. */
    public static void afterCommit(KeycloakSession session, RealmModel realm, SmsMessage message) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        String realmId = realm.getId();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                submit(factory, realmId, message);
            }

            @Override
            protected void rollbackImpl() {
                // the request failed: its code was never kept, so nothing to send
            }
        });
    }

    private static void submit(KeycloakSessionFactory factory, String realmId, SmsMessage message) {
        try {
            POOL.execute(() -> KeycloakModelUtils.runJobInTransaction(factory, s -> {
                RealmModel realm = s.realms().getRealmByName(message.realm());
                if (realm == null || !realm.getId().equals(realmId)) {
                    LOG.warnf("Code NOT delivered (%s): realm %s is gone", message.purpose(), message.realm());
                    return;
                }
                s.getContext().setRealm(realm);
                try {
                    now(s, realm, message);
                } catch (SmsException | RuntimeException e) {
                    LOG.warnf("Code NOT delivered (%s) by SMS to %s in realm %s: %s", message.purpose(),
                            PhoneNumbers.mask(message.to()), message.realm(), e.getMessage());
                }
            }));
        } catch (RejectedExecutionException e) {
            LOG.warnf("Code NOT delivered (%s) by SMS in realm %s: %d messages already wait for the gateway",
                    message.purpose(), message.realm(), POOL.getQueue().size());
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, "wuye-sms-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
