package cn.wuye.keycloak.sms;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderFactory;

/** Factory of an {@link SmsSender}; its id is what the realm attribute names. */
public interface SmsSenderFactory extends ProviderFactory<SmsSender> {

    @Override
    default void init(Config.Scope config) {
    }

    @Override
    default void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    default void close() {
    }
}
