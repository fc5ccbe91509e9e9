package cn.wuye.keycloak.authenticator;


import com.google.auto.service.AutoService;
import org.keycloak.authentication.AuthenticatorFactory;

import org.keycloak.authentication.Authenticator;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.PasswordCredentialModel;

@AutoService(AuthenticatorFactory.class)
public class IdentifierPasswordFormFactory implements NoConfigAuthenticatorFactory {

    public static final String ID = "wuye-identifier-password-form";

    @Override
    public Authenticator create(KeycloakSession session) {
        return new IdentifierPasswordForm(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye identifier + password form (工号/手机号/邮箱)";
    }

    @Override
    public String getHelpText() {
        return "One field takes the employee number, a mainland mobile (any common form, matched on attribute phone_number "
                + "in E.164) or the email; ambiguous identifiers are refused and logged.";
    }

    @Override
    public String getReferenceCategory() {
        return PasswordCredentialModel.TYPE;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {AuthenticationExecutionModel.Requirement.REQUIRED};
    }

    @Override
    public void close() {
    }
}
