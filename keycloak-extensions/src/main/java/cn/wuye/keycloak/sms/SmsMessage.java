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

    /**
     * The code a vendor's code template takes. A message without one (the activation SMS) would go out as a code SMS
     * with an empty code: refused, so it stays queued and the log says why (vendor templates for it are still to do).
     */
    public String templateCode(String vendor) throws SmsException {
        if (code == null || code.isEmpty()) {
            throw new SmsException(vendor + " has only a code template; the " + purpose + " SMS needs a template of its own (not supported yet)");
        }
        return code;
    }

    @Override
    public String toString() { // codes stay out of logs
        return "SmsMessage[realm=" + realm + ", purpose=" + purpose + "]";
    }
}
