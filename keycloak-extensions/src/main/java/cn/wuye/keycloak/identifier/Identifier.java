package cn.wuye.keycloak.identifier;

import java.util.Locale;
import java.util.Optional;

import cn.wuye.keycloak.text.Width;

/**
 * What one login field may mean: an employee number (工号, the username), a mobile number or an email.
 *
 * <p>All candidate readings are kept: a 工号 may look like a phone number, so the lookup tries every
 * reading and refuses the login when two readings name different accounts.
 *
 * @param cleaned  the input, half-width and trimmed
 * @param username the username reading (Keycloak stores usernames in lower case)
 * @param email    the email reading, lower case, when the input has an {@code @}
 * @param phone    the E.164 reading, when the input is a mainland mobile number
 */
public record Identifier(String cleaned, String username, Optional<String> email, Optional<String> phone) {

    public enum Kind { EMPLOYEE_NO, PHONE, EMAIL, EMPTY }

    public static Identifier parse(String raw) {
        String cleaned = Width.clean(raw);
        if (cleaned.isEmpty()) {
            return new Identifier("", "", Optional.empty(), Optional.empty());
        }
        String lower = cleaned.toLowerCase(Locale.ROOT);
        Optional<String> email = lower.indexOf('@') > 0 ? Optional.of(lower) : Optional.empty();
        Optional<String> phone = email.isPresent() ? Optional.empty() : PhoneNumbers.toE164(cleaned);
        return new Identifier(cleaned, lower, email, phone);
    }

    /** The most likely reading, for logs and events (never shown to the user). */
    public Kind kind() {
        if (cleaned.isEmpty()) {
            return Kind.EMPTY;
        }
        if (email.isPresent()) {
            return Kind.EMAIL;
        }
        if (phone.isPresent()) {
            return Kind.PHONE;
        }
        return Kind.EMPLOYEE_NO;
    }

    public boolean isEmpty() {
        return cleaned.isEmpty();
    }
}
