package cn.wuye.keycloak.activation;

import java.util.OptionalLong;

import org.keycloak.models.UserModel;

/**
 * The activation queue, kept on the accounts as attributes (unmanaged, admin-only: the person never sees them).
 * Provisioning and the help desk write {@link #PENDING} and {@link #RESET_CODE_REQUESTED}; the drain and the
 * reset flow move them on. The names are a contract with provisioning and the help desk (docs/ARCHITECTURE.md).
 */
public final class Activation {

    /** {@value #PENDING}: an activation SMS is queued; {@value #SENT}: it left, the person has not activated yet. */
    public static final String STATE = "wuyeActivation";
    public static final String PENDING = "pending";
    public static final String SENT = "sent";
    /** Epoch ms of the last activation SMS that left. */
    public static final String SENT_AT = "wuyeActivationSentAt";
    /** Epoch ms when the person set their own password (activation or any reset); {@link #STATE} is then gone. */
    public static final String ACTIVATED_AT = "wuyeActivatedAt";
    /** Epoch ms: the help desk asked for a reset code to be sent; removed when it leaves. */
    public static final String RESET_CODE_REQUESTED = "wuyeResetCodeRequested";
    /** Epoch ms of the last help-desk reset code that left. */
    public static final String RESET_CODE_SENT_AT = "wuyeResetCodeSentAt";

    private Activation() {
    }

    /** The person set their own password: the queue forgets them, and the time is kept for the help desk. */
    public static void activated(UserModel user, long nowMillis) {
        if (user.getFirstAttribute(STATE) != null) {
            user.removeAttribute(STATE);
        }
        user.setSingleAttribute(ACTIVATED_AT, Long.toString(nowMillis));
    }

    /** An epoch-ms attribute, if it holds one. */
    public static OptionalLong millis(UserModel user, String attribute) {
        String v = user.getFirstAttribute(attribute);
        try {
            return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
