package cn.wuye.keycloak.sms;

/** The gateway did not take the message (refused, failed, or too slow). The message never holds the code. */
public class SmsException extends Exception {

    private static final long serialVersionUID = 1L;

    public SmsException(String message) {
        super(message);
    }

    public SmsException(String message, Throwable cause) {
        super(message, cause);
    }
}
