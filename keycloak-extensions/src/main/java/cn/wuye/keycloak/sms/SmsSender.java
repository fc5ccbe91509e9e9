package cn.wuye.keycloak.sms;

import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/** Sends one text message through a gateway; chosen per realm by the realm attribute {@value SmsSettings#SENDER}. */
public interface SmsSender extends Provider {

    /** Sends or throws; must return within the configured timeout. */
    void send(RealmModel realm, SmsMessage message) throws SmsException;

    /**
     * Whether the realm is set up to send messages of this kind, checked before anything is claimed or sent;
     * throws {@link SmsTemplate.MissingTemplate} naming what to set. The dev outbox needs no template.
     */
    default void ready(RealmModel realm, SmsTemplate template) throws SmsException {
    }

    @Override
    default void close() {
    }
}
