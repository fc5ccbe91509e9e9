package cn.wuye.keycloak.spi;

import org.keycloak.Config;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * An event listener of ours that changes the account an event is about: provider and factory in one class (the
 * factory is the instance made without a session), and the account found once per request (Keycloak may send
 * several events for one change: one per session signed out, a credential event and its deprecated twin).
 */
public abstract class AccountEventListener implements EventListenerProvider, EventListenerProviderFactory {

    protected final KeycloakSession session;

    protected AccountEventListener(KeycloakSession session) {
        this.session = session;
    }

    /**
     * The account, the first time this request asks under {@code marker}; null when already handled in this
     * request, or when the realm or account is gone.
     */
    protected UserModel accountOnce(String marker, String realmId, String userId) {
        String done = marker + "." + userId;
        if (session.getAttribute(done) != null) {
            return null;
        }
        RealmModel realm = session.realms().getRealm(realmId);
        UserModel user = realm == null ? null : session.users().getUserById(realm, userId);
        if (user != null) {
            session.setAttribute(done, Boolean.TRUE);
        }
        return user;
    }

    @Override
    public void onEvent(Event event) {
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
