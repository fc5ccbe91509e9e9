package cn.wuye.keycloak.sms;

import java.util.List;

/**
 * One text message to send: the complete text (the dev outbox shows it) and, for vendors that send only
 * pre-approved templates, which {@link SmsTemplate} it fills and that template's parameters in order. The two
 * factories are the one place that decides a message's template and parameters; the senders only encode them.
 *
 * @param realm    realm name (tenant), for the outbox and logs
 * @param to       the mobile in E.164
 * @param text     the complete text, as the person reads it
 * @param purpose  {@code login}, {@code reset}, {@code activation} (the drain) or {@code reset-code} (the help desk's)
 * @param template the vendor template the message fills
 * @param params   the template's parameters, named (Aliyun's {@code TemplateParam} keys) and in order (Tencent's
 *                 {@code TemplateParamSet})
 */
public record SmsMessage(String realm, String to, String text, String purpose, SmsTemplate template, List<Param> params) {

    /** One template parameter. */
    public record Param(String name, String value) {
    }

    public SmsMessage {
        params = List.copyOf(params);
    }

    /** A one-time code: the code template takes the code and its validity in minutes. */
    public static SmsMessage code(String realm, String to, String text, String code, long validityMinutes, String purpose) {
        return new SmsMessage(realm, to, text, purpose, SmsTemplate.CODE,
                List.of(new Param("code", code), new Param("minutes", Long.toString(validityMinutes))));
    }

    /**
     * The activation SMS: no code, no link. Its template takes the company and the 工号; the sign-in address is
     * written into the registered template itself, because vendors refuse a domain or an address as a variable
     * (Aliyun {@code isv.PARAM_NOT_SUPPORT_URL}: "域名和ip请固化到模板申请中"). {@code text} (the dev outbox)
     * carries the address from the realm.
     */
    public static SmsMessage activation(String realm, String to, String text, String company, String username) {
        return new SmsMessage(realm, to, text, "activation", SmsTemplate.ACTIVATION,
                List.of(new Param("company", company), new Param("username", username)));
    }

    /** The one-time code inside the message, or "" (the activation SMS has none). */
    public String code() {
        return params.stream().filter(p -> "code".equals(p.name())).map(Param::value).findFirst().orElse("");
    }

    /** The parameters' values in order (Tencent's {@code TemplateParamSet}). */
    public List<String> values() {
        return params.stream().map(Param::value).toList();
    }

    @Override
    public String toString() { // codes and numbers stay out of logs
        return "SmsMessage[realm=" + realm + ", purpose=" + purpose + ", template=" + template + "]";
    }
}
