package cn.wuye.keycloak.authenticator;


import com.google.auto.service.AutoService;

import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.credential.OTPCredentialModel;

@AutoService(AuthenticatorFactory.class)
public class SmsOtpAuthenticatorFactory implements NoConfigAuthenticatorFactory {

    public static final String ID = "wuye-sms-otp";

    @Override
    public Authenticator create(KeycloakSession session) {
        return new SmsOtpAuthenticator();
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getDisplayType() {
        return "Wuye SMS code (new device, privileged staff)";
    }

    @Override
    public String getHelpText() {
        return "6-digit code by SMS on a new device and always for holders of mfa-required (TOTP as their choice); "
                + "no mobile: TOTP or email. Wrong codes count towards brute-force lockout.";
    }

    /** "otp": Keycloak's brute-force protector only counts failures of the password, otp and recovery-code categories. */
    @Override
    public String getReferenceCategory() {
        return OTPCredentialModel.TYPE;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return new AuthenticationExecutionModel.Requirement[] {AuthenticationExecutionModel.Requirement.REQUIRED,
                AuthenticationExecutionModel.Requirement.ALTERNATIVE, AuthenticationExecutionModel.Requirement.DISABLED};
    }

    @Override
    public void close() {
    }
}
