package cn.wuye.keycloak.device;

import com.google.auto.service.AutoService;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;

import cn.wuye.keycloak.authenticator.SmsOtpAuthenticator;
import cn.wuye.keycloak.spi.AccountEventListener;

/**
 * Event listener {@value #ID}: every "sign out everywhere" forgets every trusted browser of the account, by
 * giving it a new device epoch (user attribute {@value SmsOtpAuthenticator#DEVICE_EPOCH_ATTRIBUTE}; {@link TrustedDevice} cookies signed
 * under the old epoch stop verifying).
 *
 * <p>Which sign-outs: the account console's "sign out of all devices" ({@code DELETE /realms/{r}/account/sessions}:
 * one LOGOUT event per session, and it does not set the user's not-before, so the cookie survived it), and an
 * admin's sign-out of the user ({@code POST /admin/realms/{r}/users/{id}/logout}, also provisioning's leaver
 * logout: it sets not-before, which voids the cookie already; the new epoch makes it explicit). An ordinary
 * sign-out of one session (also a LOGOUT event) keeps the browser trusted: that is what "trust" is for.
 */
@AutoService(EventListenerProviderFactory.class)
public class ForgetDevicesListener extends AccountEventListener {

    public static final String ID = "wuye-forget-devices";
    private static final Logger LOG = Logger.getLogger(ForgetDevicesListener.class);
    private static final Pattern ACCOUNT_SIGN_OUT_ALL = Pattern.compile(".*/realms/[^/]+/account/sessions/?");
    private static final Pattern ADMIN_SIGN_OUT_USER = Pattern.compile("users/([^/]+)/logout");

    public ForgetDevicesListener() {
        this(null);
    }

    private ForgetDevicesListener(KeycloakSession session) {
        super(session);
    }

    @Override
    public void onEvent(Event event) {
        if (event.getType() == EventType.LOGOUT && event.getUserId() != null && isAccountSignOutAll()) {
            forget(event.getRealmId(), event.getUserId(), "account console: sign out of all devices");
        }
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        if (event.getOperationType() != OperationType.ACTION || event.getResourceType() != ResourceType.USER
                || event.getResourcePath() == null) {
            return;
        }
        var signOut = ADMIN_SIGN_OUT_USER.matcher(event.getResourcePath());
        if (signOut.matches()) {
            forget(event.getRealmId(), signOut.group(1), "admin: sign out of the user");
        }
    }

    private boolean isAccountSignOutAll() {
        HttpRequest request = session.getContext().getHttpRequest();
        return request != null && "DELETE".equals(request.getHttpMethod())
                && ACCOUNT_SIGN_OUT_ALL.matcher(request.getUri().getPath()).matches();
    }

    /** One new epoch per request is enough: the console's sign-out sends one event per session. */
    private void forget(String realmId, String userId, String why) {
        UserModel user = accountOnce("wuye.devicesForgotten", realmId, userId);
        if (user == null) {
            return;
        }
        user.setSingleAttribute(SmsOtpAuthenticator.DEVICE_EPOCH_ATTRIBUTE, UUID.randomUUID().toString());
        LOG.infof("trusted browsers of user %s forgotten (%s)", userId, why);
    }

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new ForgetDevicesListener(session);
    }

    @Override
    public String getId() {
        return ID;
    }
}
