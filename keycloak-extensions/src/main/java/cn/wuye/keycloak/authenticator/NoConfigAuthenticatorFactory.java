package cn.wuye.keycloak.authenticator;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * The parts of Keycloak's {@link AuthenticatorFactory} that none of our steps use: no per-execution
 * configuration (settings are realm attributes), no user set-up, no life-cycle hooks. Each factory
 * then says only what it is.
 */
public interface NoConfigAuthenticatorFactory extends AuthenticatorFactory {

    @Override
    default boolean isConfigurable() {
        return false;
    }

    @Override
    default boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    default List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    default void init(Config.Scope config) {
    }

    @Override
    default void postInit(KeycloakSessionFactory factory) {
    }
}
