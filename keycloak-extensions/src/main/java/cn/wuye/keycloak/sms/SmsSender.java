package cn.wuye.keycloak.sms;

import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/** Sends one text message through a gateway; chosen per realm by the realm attribute {@value SmsSettings#SENDER}. */
public interface SmsSender extends Provider {

    /** Sends or throws; must return within the configured timeout. */
    void send(RealmModel realm, SmsMessage message) throws SmsException;

    @Override
    default void close() {
    }
}
