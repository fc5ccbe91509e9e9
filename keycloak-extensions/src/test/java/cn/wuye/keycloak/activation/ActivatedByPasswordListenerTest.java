package cn.wuye.keycloak.activation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.events.Event;
import org.keycloak.events.EventType;

/** Which user events mean "a password now exists": a new password, never a new OTP device or a sign-in. */
class ActivatedByPasswordListenerTest {

    private static Event event(EventType type, String credentialType) {
        Event e = new Event();
        e.setType(type);
        e.setUserId("u1");
        e.setDetails(credentialType == null ? null : Map.of("credential_type", credentialType));
        return e;
    }

    @Test
    void a_new_password_counts() {
        assertTrue(ActivatedByPasswordListener.setsPassword(event(EventType.UPDATE_CREDENTIAL, "password")));
    }

    @Test
    void an_otp_device_a_sign_in_or_a_credential_without_type_does_not() {
        assertFalse(ActivatedByPasswordListener.setsPassword(event(EventType.UPDATE_CREDENTIAL, "otp")));
        assertFalse(ActivatedByPasswordListener.setsPassword(event(EventType.UPDATE_CREDENTIAL, null)));
        assertFalse(ActivatedByPasswordListener.setsPassword(event(EventType.LOGIN, "password")));
    }
}
