package cn.wuye.keycloak.sms;

import org.keycloak.models.RealmModel;

/**
 * The kinds of pre-approved vendor template (Aliyun TemplateCode, Tencent TemplateId), each named by a realm
 * attribute: vendors send only registered templates, one per kind of message. The dev outbox needs none.
 */
public enum SmsTemplate {

    /** Login, reset and help-desk codes: parameters {@code code}, {@code minutes}. */
    CODE(SmsSettings.TEMPLATE),
    /** The activation SMS: parameters {@code company}, {@code username} (工号); the address is fixed in the template. */
    ACTIVATION(SmsSettings.ACTIVATION_TEMPLATE);

    private final String attribute;

    SmsTemplate(String attribute) {
        this.attribute = attribute;
    }

    /** The realm attribute that holds this kind's template code or id. */
    public String attribute() {
        return attribute;
    }

    /** The realm's template for this kind, or a {@link MissingTemplate} naming the attribute to set. */
    public String id(RealmModel realm, String vendor) throws MissingTemplate {
        String id = SmsSettings.attribute(realm, attribute, null);
        if (id == null) {
            throw new MissingTemplate(vendor + " sends only registered templates: set realm attribute " + attribute
                    + " (the " + name().toLowerCase(java.util.Locale.ROOT) + " template) in realm " + realm.getName());
        }
        return id;
    }

    /** The realm lacks the template a vendor needs: nothing was sent, and retrying will not help until IT sets it. */
    public static final class MissingTemplate extends SmsException {

        private static final long serialVersionUID = 1L;

        public MissingTemplate(String message) {
            super(message);
        }
    }
}
