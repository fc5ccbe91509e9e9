package cn.wuye.keycloak.sms.aliyun;

import com.google.auto.service.AutoService;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import cn.wuye.keycloak.sms.HttpGateway;
import cn.wuye.keycloak.sms.SmsException;
import cn.wuye.keycloak.sms.SmsMessage;
import cn.wuye.keycloak.sms.SmsSender;
import cn.wuye.keycloak.sms.SmsSenderFactory;
import cn.wuye.keycloak.sms.SmsSettings;
import cn.wuye.keycloak.sms.SmsTemplate;

/**
 * Aliyun Dysmsapi SendSms. Keys from the environment only ({@code WUYE_ALIYUN_SMS_ACCESS_KEY_ID} /
 * {@code _SECRET}, or Alibaba Cloud's {@code ALIBABA_CLOUD_ACCESS_KEY_ID} / {@code _SECRET}); sign name and
 * template codes from realm attributes, one per {@link SmsTemplate} kind; {@code TemplateParam} carries the
 * message's named parameters ({@code ${code}}/{@code ${minutes}}, or {@code ${company}}/{@code ${username}}).
 */
public class AliyunSmsSender implements SmsSender {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VENDOR = "Aliyun";

    @Override
    public void ready(RealmModel realm, SmsTemplate template) throws SmsException {
        template.id(realm, VENDOR);
    }

    @Override
    public void send(RealmModel realm, SmsMessage message) throws SmsException {
        String keyId = SmsSettings.env("WUYE_ALIYUN_SMS_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_ID");
        String secret = SmsSettings.env("WUYE_ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        if (keyId == null || secret == null) {
            throw new SmsException("Aliyun SMS keys are not set in the environment");
        }
        String signName = SmsSettings.attribute(realm, SmsSettings.SIGN_NAME, null);
        if (signName == null) {
            throw new SmsException("realm attribute " + SmsSettings.SIGN_NAME + " is required");
        }
        String template = message.template().id(realm, VENDOR);
        String national = message.to().startsWith("+86") ? message.to().substring(3) : message.to();
        Map<String, String> params = AliyunSendSmsRequest.params(keyId, national, signName, template,
                AliyunSendSmsRequest.templateParam(message.params()), Instant.now(), UUID.randomUUID().toString(), "JSON");
        String endpoint = SmsSettings.gateway("WUYE_ALIYUN_SMS_ENDPOINT", AliyunSendSmsRequest.ENDPOINT);
        URI uri = URI.create(endpoint + "?" + AliyunPopSigner.signedQuery("GET", params, secret));
        HttpGateway.Reply reply = HttpGateway.send(new HttpGateway.Call("GET", uri, Map.of(), null, SmsSettings.timeout(realm)));
        String code;
        try {
            JsonNode body = JSON.readTree(reply.body());
            code = body.path("Code").asText("");
        } catch (Exception e) {
            throw new SmsException("Aliyun answered HTTP " + reply.status() + " with an unreadable body");
        }
        if (!"OK".equals(code)) {
            throw new SmsException("Aliyun refused the message: HTTP " + reply.status() + ", Code " + code);
        }
    }

    @AutoService(SmsSenderFactory.class)
    public static class Factory implements SmsSenderFactory {

        @Override
        public SmsSender create(KeycloakSession session) {
            return new AliyunSmsSender();
        }

        @Override
        public String getId() {
            return "aliyun";
        }
    }
}
