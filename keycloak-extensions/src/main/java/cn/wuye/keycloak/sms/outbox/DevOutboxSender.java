package cn.wuye.keycloak.sms.outbox;

import com.google.auto.service.AutoService;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import cn.wuye.keycloak.sms.HttpGateway;
import cn.wuye.keycloak.sms.SmsException;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSender;
import cn.wuye.keycloak.sms.SmsSenderFactory;
import cn.wuye.keycloak.sms.SmsSettings;

/** Development gateway: POSTs each message as JSON to the local outbox service ({@code devstack/sms_outbox.py}). */
public class DevOutboxSender implements SmsSender {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String configuredUrl;

    DevOutboxSender(String configuredUrl) {
        this.configuredUrl = configuredUrl;
    }

    @Override
    public void send(RealmModel realm, SmsMessage message) throws SmsException {
        String base = SmsSettings.attribute(realm, SmsSettings.OUTBOX_URL, configuredUrl);
        if (base == null || base.isBlank()) {
            throw new SmsException("no outbox URL: set realm attribute " + SmsSettings.OUTBOX_URL + " or WUYE_SMS_OUTBOX_URL");
        }
        String url = base.endsWith("/messages") ? base : base.replaceAll("/+$", "") + "/messages";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", message.to());
        body.put("text", message.text());
        body.put("code", message.code());
        body.put("purpose", message.purpose());
        body.put("realm", message.realm());
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new SmsException("cannot encode the message", e);
        }
        HttpGateway.Reply reply = HttpGateway.send(new HttpGateway.Call("POST", URI.create(url),
                Map.of("Content-Type", "application/json; charset=utf-8"), json, SmsSettings.timeout(realm)));
        if (reply.status() / 100 != 2) {
            throw new SmsException("outbox answered HTTP " + reply.status());
        }
    }

    @AutoService(SmsSenderFactory.class)
    public static class Factory implements SmsSenderFactory {

        public static final String ID = "dev-outbox";
        private String url;

        @Override
        public void init(org.keycloak.Config.Scope config) {
            url = config.get("outbox-url", SmsSettings.env("WUYE_SMS_OUTBOX_URL"));
        }

        @Override
        public SmsSender create(KeycloakSession session) {
            return new DevOutboxSender(url);
        }

        @Override
        public String getId() {
            return ID;
        }
    }
}
