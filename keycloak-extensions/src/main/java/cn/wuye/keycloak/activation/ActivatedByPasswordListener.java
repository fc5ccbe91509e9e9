package cn.wuye.keycloak.activation;

import com.google.auto.service.AutoService;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.PasswordCredentialModel;

import cn.wuye.keycloak.spi.AccountEventListener;

/**
 * Event listener {@value #ID}: a password set by any way Keycloak offers activates the account
 * ({@link Activation#activated}), not only our reset flow's last step. Without it, a one-time-password joiner who
 * passed Keycloak's {@code UPDATE_PASSWORD} required action, a change in the account console (the same required
 * action, started from the console) or a password an admin set stayed {@code wuyeActivation=sent}, and the help desk
 * said "not yet activated" of someone who signs in daily.
 *
 * <p>Which events: the user event {@code UPDATE_CREDENTIAL} with credential type {@code password} (Keycloak 26's
 * {@code UPDATE_PASSWORD} required action sends it, with its deprecated twin {@code UPDATE_PASSWORD}), and the admin
 * event on
 * {@code users/{id}/reset-password}, unless that password is temporary (the account then carries
 * {@code UPDATE_PASSWORD}: the person has not chosen a password yet, and activates when they do).
 */
@AutoService(EventListenerProviderFactory.class)
public class ActivatedByPasswordListener extends AccountEventListener {

    public static final String ID = "wuye-activated-by-password";
    private static final Logger LOG = Logger.getLogger(ActivatedByPasswordListener.class);
    private static final Pattern ADMIN_SET_PASSWORD = Pattern.compile("users/([^/]+)/reset-password");

    public ActivatedByPasswordListener() {
        this(null);
    }

    private ActivatedByPasswordListener(KeycloakSession session) {
        super(session);
    }

    @Override
    public void onEvent(Event event) {
        if (event.getUserId() != null && setsPassword(event)) {
            activated(event.getRealmId(), event.getUserId(), false, "password set by the person");
        }
    }

    /**
     * {@code UPDATE_CREDENTIAL} for a password (not OTP, not a passkey). Keycloak 26 sends its deprecated twin
     * {@code UPDATE_PASSWORD} beside it for the same change, so that one is not needed.
     */
    static boolean setsPassword(Event event) {
        return event.getType() == EventType.UPDATE_CREDENTIAL && event.getDetails() != null
                && PasswordCredentialModel.TYPE.equals(event.getDetails().get(Details.CREDENTIAL_TYPE));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        if (event.getOperationType() != OperationType.ACTION || event.getResourceType() != ResourceType.USER
                || event.getResourcePath() == null) {
            return;
        }
        var set = ADMIN_SET_PASSWORD.matcher(event.getResourcePath());
        if (set.matches()) {
            activated(event.getRealmId(), set.group(1), true, "password set by an admin");
        }
    }

    /**
     * Once per request. An admin's temporary password does not count (Keycloak has added {@code UPDATE_PASSWORD}
     * before the event); the person's own change does, although their {@code UPDATE_PASSWORD} is removed only after
     * the event.
     */
    private void activated(String realmId, String userId, boolean byAdmin, String why) {
        UserModel user = accountOnce("wuye.activated", realmId, userId);
        if (user == null || byAdmin && user.getRequiredActionsStream().anyMatch(UserModel.RequiredAction.UPDATE_PASSWORD.name()::equals)) {
            return;
        }
        boolean wasQueued = user.getFirstAttribute(Activation.STATE) != null;
        Activation.activated(user, System.currentTimeMillis());
        if (wasQueued) {
            LOG.infof("user %s in realm %s activated (%s)", userId, realmId, why);
        }
    }

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new ActivatedByPasswordListener(session);
    }

    @Override
    public String getId() {
        return ID;
    }
}
