package cn.wuye.keycloak.authenticator;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * A stateless flow condition that is its own factory, without configuration: what Keycloak's
 * {@link ConditionalAuthenticator} SPI asks beyond {@code matchCondition}, id and texts, said once.
 */
public interface NoConfigCondition extends ConditionalAuthenticator, ConditionalAuthenticatorFactory, NoConfigAuthenticatorFactory {

    @Override
    default void action(AuthenticationFlowContext context) {
    }

    @Override
    default boolean requiresUser() {
        return false;
    }

    @Override
    default void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    default void close() {
    }

    @Override
    default ConditionalAuthenticator getSingleton() {
        return this;
    }

    @Override
    default AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {AuthenticationExecutionModel.Requirement.REQUIRED,
                AuthenticationExecutionModel.Requirement.DISABLED};
    }
}
