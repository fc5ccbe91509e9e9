package cn.wuye.keycloak.identifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Finds the one account an {@link Identifier} names: by username (工号), by email (case-insensitive) and by the
 * {@code phone_number} attribute (E.164). Two different accounts → ambiguous: refused and logged for IT.
 */
public final class UserLookup {

    public static final String PHONE_ATTRIBUTE = "phone_number";
    private static final Logger LOG = Logger.getLogger(UserLookup.class);

    public enum Status { FOUND, NOT_FOUND, AMBIGUOUS }

    public record Result(Status status, Optional<UserModel> user, List<String> usernames) {
    }

    private UserLookup() {
    }

    public static Result find(KeycloakSession session, RealmModel realm, Identifier id) {
        if (id.isEmpty()) {
            return new Result(Status.NOT_FOUND, Optional.empty(), List.of());
        }
        Map<String, UserModel> found = new LinkedHashMap<>();
        try {
            add(found, session.users().getUserByUsername(realm, id.username()));
            if (id.email().isPresent()) {
                add(found, session.users().getUserByEmail(realm, id.email().get()));
            }
        } catch (ModelDuplicateException e) {
            LOG.warnf("Sign-in identifier (%s) matches several accounts in realm %s (duplicate %s); refused. IT: fix the account data.",
                    id.kind(), realm.getName(), e.getDuplicateFieldName());
            return new Result(Status.AMBIGUOUS, Optional.empty(), List.of());
        }
        if (id.phone().isPresent()) {
            session.users().searchForUserByUserAttributeStream(realm, PHONE_ATTRIBUTE, id.phone().get())
                    .limit(3)
                    .forEach(u -> add(found, u));
        }
        if (found.isEmpty()) {
            return new Result(Status.NOT_FOUND, Optional.empty(), List.of());
        }
        if (found.size() > 1) {
            List<String> names = found.values().stream().map(UserModel::getUsername).collect(Collectors.toList());
            LOG.warnf("Sign-in identifier (%s) matches %d different accounts in realm %s: %s; refused, never guessed. "
                    + "IT: make the 工号, mobile and email of these accounts distinct.", id.kind(), names.size(), realm.getName(), names);
            return new Result(Status.AMBIGUOUS, Optional.empty(), names);
        }
        UserModel user = found.values().iterator().next();
        return new Result(Status.FOUND, Optional.of(user), List.of(user.getUsername()));
    }

    private static void add(Map<String, UserModel> found, UserModel user) {
        if (user != null) {
            found.putIfAbsent(user.getId(), user);
        }
    }

    /** The account's mobile in E.164, if it has a valid one. */
    public static Optional<String> phoneOf(UserModel user) {
        String raw = user.getFirstAttribute(PHONE_ATTRIBUTE);
        return raw == null ? Optional.empty() : PhoneNumbers.toE164(raw);
    }
}
