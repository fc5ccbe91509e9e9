package cn.wuye.keycloak.sms;

import java.time.Duration;

import org.keycloak.models.RealmModel;

/**
 * Per-realm SMS settings, read from realm attributes (never secrets: vendor keys come from the environment).
 */
public final class SmsSettings {

    /** Which {@link SmsSenderFactory} id sends for the realm; default {@code dev-outbox}. */
    public static final String SENDER = "wuyeSmsSender";
    /** The dev outbox URL (falls back to env {@code WUYE_SMS_OUTBOX_URL}). */
    public static final String OUTBOX_URL = "wuyeSmsOutboxUrl";
    /** Gateway timeout in milliseconds; default 5000. */
    public static final String TIMEOUT_MS = "wuyeSmsTimeoutMillis";
    /** Vendor sign name (签名), template code/id, and Tencent's SmsSdkAppId. */
    public static final String SIGN_NAME = "wuyeSmsSignName";
    public static final String TEMPLATE = "wuyeSmsTemplate";
    /** The vendor template of the activation SMS (company, 工号, sign-in address); see {@link SmsTemplate}. */
    public static final String ACTIVATION_TEMPLATE = "wuyeSmsActivationTemplate";
    public static final String TENCENT_APP_ID = "wuyeSmsSdkAppId";
    public static final String TENCENT_REGION = "wuyeSmsTencentRegion";
    /** How long a code is valid, in seconds (1..900); default 300. */
    public static final String CODE_VALIDITY_SECONDS = "wuyeCodeValiditySeconds";
    /** Codes nobody verified, per client IP per clock hour; default 30 (a verified code does not count). */
    public static final String MAX_PER_IP = "wuyeSmsMaxPerIpPerHour";
    /** Codes per realm per clock hour, the SMS budget; default 1000. Reaching it alerts IT (WARN log + event). */
    public static final String MAX_PER_REALM = "wuyeSmsMaxPerRealmPerHour";

    /** Activation and help-desk reset-code SMS per realm per clock second (the vendor's cap); default 10, 0 pauses. */
    public static final String ACTIVATION_PER_SECOND = "wuyeSmsActivationPerSecond";
    /** The sign-in address the activation SMS names (the template sets the workbench URL; shown without scheme). */
    public static final String SIGN_IN_ADDRESS = "wuyeSignInAddress";

    private SmsSettings() {
    }

    public static String sender(RealmModel realm) {
        return attribute(realm, SENDER, "dev-outbox");
    }

    public static Duration timeout(RealmModel realm) {
        try {
            long ms = Long.parseLong(attribute(realm, TIMEOUT_MS, "5000"));
            return Duration.ofMillis(Math.max(200, Math.min(ms, 30_000)));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(5);
        }
    }

    public static Duration codeValidity(RealmModel realm, Duration fallback) {
        try {
            long s = Long.parseLong(attribute(realm, CODE_VALIDITY_SECONDS, Long.toString(fallback.toSeconds())));
            return Duration.ofSeconds(Math.max(1, Math.min(s, 900)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public static int maxPerIp(RealmModel realm, int fallback) {
        return count(realm, MAX_PER_IP, fallback);
    }

    public static int maxPerRealm(RealmModel realm, int fallback) {
        return count(realm, MAX_PER_REALM, fallback);
    }

    public static int activationPerSecond(RealmModel realm) {
        return count(realm, ACTIVATION_PER_SECOND, 10);
    }

    /** A non-negative whole number from a realm attribute; the fallback when it is missing or not one. */
    static int count(RealmModel realm, String name, int fallback) {
        try {
            return Math.max(0, Integer.parseInt(attribute(realm, name, Integer.toString(fallback))));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public static String attribute(RealmModel realm, String name, String fallback) {
        String v = realm.getAttribute(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * A vendor's gateway URL: the documented one, or the server's environment variable {@code name} (a private
     * gateway, or the tests' fake vendor). Never a realm attribute: a realm admin must not redirect codes.
     */
    public static String gateway(String name, String documented) {
        String override = env(name);
        return override == null ? documented : override;
    }

    /** The first non-blank environment variable of {@code names}, or null. */
    public static String env(String... names) {
        for (String n : names) {
            String v = System.getenv(n);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
