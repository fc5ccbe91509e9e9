package cn.wuye.keycloak.sms.tencent;

import com.google.auto.service.AutoService;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Tencent Cloud SMS SendSms (API 2021-01-11), signed with TC3-HMAC-SHA256. Keys from the environment only
 * ({@code TENCENTCLOUD_SECRET_ID} / {@code TENCENTCLOUD_SECRET_KEY}); SmsSdkAppId, sign name and template id
 * from realm attributes, one template id per {@link SmsTemplate} kind; {@code TemplateParamSet} is the message's
 * parameters in order (code, minutes; or company, 工号).
 */
public class TencentSmsSender implements SmsSender {

    static final String HOST = "sms.tencentcloudapi.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VENDOR = "Tencent Cloud";

    /** The JSON body of SendSms; a pure function, so the request shape is testable. */
    public static String payload(String appId, String signName, String templateId, String e164, List<String> templateParams) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("PhoneNumberSet", List.of(e164));
        body.put("SmsSdkAppId", appId);
        body.put("SignName", signName);
        body.put("TemplateId", templateId);
        body.put("TemplateParamSet", templateParams);
        try {
            return JSON.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void ready(RealmModel realm, SmsTemplate template) throws SmsException {
        template.id(realm, VENDOR);
    }

    @Override
    public void send(RealmModel realm, SmsMessage message) throws SmsException {
        String id = SmsSettings.env("TENCENTCLOUD_SECRET_ID", "WUYE_TENCENT_SMS_SECRET_ID");
        String key = SmsSettings.env("TENCENTCLOUD_SECRET_KEY", "WUYE_TENCENT_SMS_SECRET_KEY");
        if (id == null || key == null) {
            throw new SmsException("Tencent Cloud keys are not set in the environment");
        }
        String appId = SmsSettings.attribute(realm, SmsSettings.TENCENT_APP_ID, null);
        String signName = SmsSettings.attribute(realm, SmsSettings.SIGN_NAME, null);
        if (appId == null || signName == null) {
            throw new SmsException("realm attributes " + SmsSettings.TENCENT_APP_ID + " and " + SmsSettings.SIGN_NAME + " are required");
        }
        String template = message.template().id(realm, VENDOR);
        String body = payload(appId, signName, template, message.to(), message.values());
        long now = System.currentTimeMillis() / 1000;
        Tc3Signer.Signed signed = Tc3Signer.sign(Tc3Signer.Request.json(HOST, "sms", "SendSms", body), id, key, now);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", signed.authorization());
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("X-TC-Action", "SendSms");
        headers.put("X-TC-Version", "2021-01-11");
        headers.put("X-TC-Timestamp", Long.toString(now));
        headers.put("X-TC-Region", SmsSettings.attribute(realm, SmsSettings.TENCENT_REGION, "ap-guangzhou"));
        HttpGateway.Reply reply = HttpGateway.send(new HttpGateway.Call("POST", URI.create(SmsSettings.gateway("WUYE_TENCENT_SMS_ENDPOINT", "https://" + HOST + "/")), headers,
                body, SmsSettings.timeout(realm)));
        JsonNode response;
        try {
            response = JSON.readTree(reply.body()).path("Response");
        } catch (Exception e) {
            throw new SmsException("Tencent Cloud answered HTTP " + reply.status() + " with an unreadable body");
        }
        if (response.has("Error")) {
            throw new SmsException("Tencent Cloud refused the message: " + response.path("Error").path("Code").asText());
        }
        String status = response.path("SendStatusSet").path(0).path("Code").asText("");
        if (!"Ok".equalsIgnoreCase(status)) {
            throw new SmsException("Tencent Cloud did not send the message: " + status);
        }
    }

    @AutoService(SmsSenderFactory.class)
    public static class Factory implements SmsSenderFactory {

        @Override
        public SmsSender create(KeycloakSession session) {
            return new TencentSmsSender();
        }

        @Override
        public String getId() {
            return "tencent";
        }
    }
}
