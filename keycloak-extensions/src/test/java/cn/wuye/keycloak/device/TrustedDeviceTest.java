package cn.wuye.keycloak.device;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TrustedDeviceTest {

    static final byte[] KEY = "realm hmac key".getBytes(StandardCharsets.UTF_8);
    static final long T0 = 1_700_000_000_000L;
    static final long DAY = 24L * 3600 * 1000;
    static final TrustedDevice.Binding ALICE = new TrustedDevice.Binding("alice-id", T0 - DAY, "");

    @Test
    void a_remembered_device_is_trusted_for_thirty_days() {
        String cookie = TrustedDevice.issue(KEY, ALICE, T0);
        assertTrue(TrustedDevice.verify(KEY, cookie, ALICE, T0 + 29 * DAY));
        assertFalse(TrustedDevice.verify(KEY, cookie, ALICE, T0 + 30 * DAY + 1));
    }

    @Test
    void the_cookie_is_bound_to_its_user() {
        String cookie = TrustedDevice.issue(KEY, ALICE, T0);
        assertFalse(TrustedDevice.verify(KEY, cookie, new TrustedDevice.Binding("bob-id", T0 - DAY, ""), T0 + 1000));
    }

    @Test
    void a_password_change_or_a_sign_out_of_all_sessions_revokes_it() {
        String cookie = TrustedDevice.issue(KEY, ALICE, T0);
        assertFalse(TrustedDevice.verify(KEY, cookie, new TrustedDevice.Binding("alice-id", T0 + 5000, ""), T0 + 6000));
    }

    @Test
    void bumping_the_device_epoch_revokes_every_device() {
        String cookie = TrustedDevice.issue(KEY, ALICE, T0);
        assertFalse(TrustedDevice.verify(KEY, cookie, new TrustedDevice.Binding("alice-id", T0 - DAY, "2"), T0 + 1000));
    }

    @Test
    void forged_or_garbled_cookies_are_refused() {
        String cookie = TrustedDevice.issue(KEY, ALICE, T0);
        assertFalse(TrustedDevice.verify("other key".getBytes(), cookie, ALICE, T0 + 1000));
        String tampered = cookie.substring(0, cookie.indexOf('.')) + "x" + cookie.substring(cookie.indexOf('.'));
        assertFalse(TrustedDevice.verify(KEY, tampered, ALICE, T0 + 1000));
        assertFalse(TrustedDevice.verify(KEY, "nonsense", ALICE, T0));
        assertFalse(TrustedDevice.verify(KEY, "", ALICE, T0));
        assertFalse(TrustedDevice.verify(KEY, null, ALICE, T0));
    }
}
