package cn.wuye.keycloak.activation;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

import jakarta.persistence.EntityManager;

import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.Provider;

import cn.wuye.keycloak.sms.SmsTemplate;

/**
 * Accounts waiting for the drain, in every realm at once: one query on the user-attribute table's (name, value)
 * index, however many tenants the server holds, instead of a search per realm every second.
 */
final class PendingAccounts {

    /** What the drain owes an account, and the vendor template its SMS fills. */
    enum Kind {
        ACTIVATION(SmsTemplate.ACTIVATION), RESET_CODE(SmsTemplate.CODE);

        final SmsTemplate template;

        Kind(SmsTemplate template) {
            this.template = template;
        }
    }

    record Pending(String realmId, String userId, Kind kind) {
    }

    /** Keycloak's JPA provider; its jar's pom names an unpublished parent, so it is looked up by name, not compiled against. */
    private static final String JPA_PROVIDER = "org.keycloak.connections.jpa.JpaConnectionProvider";
    /** At most {@code ?4} accounts per realm, so one realm's long queue (10,000 joiners) never holds up another's. */
    private static final String QUERY = "SELECT REALM_ID, ID, NAME FROM (SELECT u.REALM_ID, u.ID, a.NAME,"
            + " ROW_NUMBER() OVER (PARTITION BY u.REALM_ID ORDER BY u.ID) AS N"
            + " FROM USER_ATTRIBUTE a JOIN USER_ENTITY u ON u.ID = a.USER_ID"
            + " WHERE (a.NAME = ?1 AND a.VALUE = ?2) OR a.NAME = ?3) q WHERE N <= ?4";

    private PendingAccounts() {
    }

    /** At most {@code perRealm} accounts of each realm; the rest wait for the next round. */
    static List<Pending> find(KeycloakSession session, int perRealm) {
        List<?> rows = entityManager(session).createNativeQuery(QUERY)
                .setParameter(1, Activation.STATE).setParameter(2, Activation.PENDING).setParameter(3, Activation.RESET_CODE_REQUESTED)
                .setParameter(4, perRealm).getResultList();
        return rows.stream().map(r -> (Object[]) r)
                .map(r -> new Pending(String.valueOf(r[0]), String.valueOf(r[1]),
                        Activation.RESET_CODE_REQUESTED.equals(String.valueOf(r[2])) ? Kind.RESET_CODE : Kind.ACTIVATION))
                .toList();
    }

    private static EntityManager entityManager(KeycloakSession session) {
        try {
            Class<? extends Provider> type = Class.forName(JPA_PROVIDER, true, PendingAccounts.class.getClassLoader())
                    .asSubclass(Provider.class);
            Provider provider = session.getProvider(type);
            if (provider == null) {
                throw new IllegalStateException("the activation drain needs Keycloak's JPA store (no " + JPA_PROVIDER + ")");
            }
            return (EntityManager) type.getMethod("getEntityManager").invoke(provider);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("the activation drain cannot reach Keycloak's JPA store", e);
        }
    }
}
