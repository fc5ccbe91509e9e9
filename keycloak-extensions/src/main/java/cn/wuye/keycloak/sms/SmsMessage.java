package cn.wuye.keycloak.sms;

/**
 * One text message to send.
 *
 * @param realm   realm name (tenant), for the outbox and logs
 * @param to      the mobile in E.164
 * @param text    the complete text, as the person reads it
 * @param code    the one-time code inside the text (vendor templates take it as a parameter)
 * @param purpose {@code login}, {@code reset}, {@code activation} (the drain) or {@code reset-code} (the help desk's)
 */
public record SmsMessage(String realm, String to, String text, String code, String purpose) {

    @Override
    public String toString() { // codes stay out of logs
        return "SmsMessage[realm=" + realm + ", purpose=" + purpose + "]";
    }
}
