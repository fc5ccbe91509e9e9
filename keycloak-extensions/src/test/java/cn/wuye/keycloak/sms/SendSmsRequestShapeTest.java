package cn.wuye.keycloak.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import cn.wuye.keycloak.sms.aliyun.AliyunPopSigner;
import cn.wuye.keycloak.sms.aliyun.AliyunSendSmsRequest;
import cn.wuye.keycloak.sms.tencent.TencentSmsSender;

/** Our SendSms requests have the shapes the vendors document, and the code never appears in toString/logs. */
class SendSmsRequestShapeTest {

    @Test
    void tencent_send_sms_body_has_the_documented_fields() throws Exception {
        JsonNode body = new ObjectMapper().readTree(TencentSmsSender.payload("1400006666", "腾讯云", "1234", "+8613800138000", "042917"));
        assertEquals("+8613800138000", body.get("PhoneNumberSet").get(0).asText());
        assertEquals("1400006666", body.get("SmsSdkAppId").asText());
        assertEquals("腾讯云", body.get("SignName").asText());
        assertEquals("1234", body.get("TemplateId").asText());
        assertEquals("042917", body.get("TemplateParamSet").get(0).asText());
    }

    @Test
    void aliyun_send_sms_carries_the_mainland_number_and_the_code_as_template_parameter() {
        Map<String, String> p = AliyunSendSmsRequest.params("id", "13800138000", "物业", "SMS_1", "{\"code\":\"042917\"}",
                Instant.parse("2026-11-26T00:00:00Z"), "nonce-1", "JSON");
        assertEquals("SendSms", p.get("Action"));
        assertEquals("2017-05-25", p.get("Version"));
        assertEquals("2026-11-26T00:00:00Z", p.get("Timestamp"));
        assertTrue(AliyunPopSigner.signedQuery("GET", p, "secret").startsWith("Signature="));
        assertFalse(AliyunPopSigner.signedQuery("GET", p, "secret").contains("secret&"));
    }

    @Test
    void an_sms_message_prints_without_its_code() {
        SmsMessage m = new SmsMessage("lvcheng", "+8613800138000", "验证码 042917", "042917", "login");
        assertFalse(m.toString().contains("042917"));
        assertFalse(m.toString().contains("13800138000"));
    }
}
