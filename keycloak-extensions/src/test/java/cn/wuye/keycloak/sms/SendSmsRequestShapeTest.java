package cn.wuye.keycloak.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import cn.wuye.keycloak.sms.aliyun.AliyunPopSigner;
import cn.wuye.keycloak.sms.aliyun.AliyunSendSmsRequest;
import cn.wuye.keycloak.sms.tencent.Tc3Signer;
import cn.wuye.keycloak.sms.tencent.TencentSmsSender;

/** Our SendSms requests have the shapes the vendors document, and the code never appears in toString/logs. */
class SendSmsRequestShapeTest {

    @Test
    void tencent_send_sms_body_has_the_documented_fields() throws Exception {
        JsonNode body = new ObjectMapper().readTree(TencentSmsSender.payload("1400006666", "腾讯云", "1234", "+8613800138000",
                SmsMessage.code("lvcheng", "+8613800138000", "验证码 042917", "042917", 5, "login").values()));
        assertEquals("+8613800138000", body.get("PhoneNumberSet").get(0).asText());
        assertEquals("1400006666", body.get("SmsSdkAppId").asText());
        assertEquals("腾讯云", body.get("SignName").asText());
        assertEquals("1234", body.get("TemplateId").asText());
        assertEquals("042917", body.get("TemplateParamSet").get(0).asText());
        assertEquals("5", body.get("TemplateParamSet").get(1).asText());
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
        SmsMessage m = SmsMessage.code("lvcheng", "+8613800138000", "验证码 042917", "042917", 5, "login");
        assertFalse(m.toString().contains("042917"));
        assertFalse(m.toString().contains("13800138000"));
    }

    static final SmsMessage ACTIVATION = SmsMessage.activation("lvcheng", "+8613800138000", "【绿城物业】您的工号 A0001 …",
            "绿城物业", "A0001");

    @Test
    void one_rule_picks_the_template_and_its_parameters_for_each_kind() {
        assertEquals(SmsTemplate.ACTIVATION, ACTIVATION.template());
        assertEquals("wuyeSmsActivationTemplate", ACTIVATION.template().attribute());
        assertEquals(List.of("绿城物业", "A0001"), ACTIVATION.values());
        assertEquals("", ACTIVATION.code());
        SmsMessage code = SmsMessage.code("lvcheng", "+8613800138000", "验证码 042917", "042917", 10, "reset-code");
        assertEquals(SmsTemplate.CODE, code.template());
        assertEquals("wuyeSmsTemplate", code.template().attribute());
        assertEquals(List.of("042917", "10"), code.values());
        assertEquals("042917", code.code());
    }

    @Test
    void tencent_activation_body_names_the_activation_template_and_company_then_username() throws Exception {
        String payload = TencentSmsSender.payload("1400006666", "绿城物业", "2088001", ACTIVATION.to(), ACTIVATION.values());
        JsonNode body = new ObjectMapper().readTree(payload);
        assertEquals("2088001", body.get("TemplateId").asText());
        assertEquals(2, body.get("TemplateParamSet").size());
        assertEquals("绿城物业", body.get("TemplateParamSet").get(0).asText());
        assertEquals("A0001", body.get("TemplateParamSet").get(1).asText());
        // TC3 signs the exact bytes sent: the canonical request ends with the SHA-256 of this UTF-8 body
        Tc3Signer.Signed signed = Tc3Signer.sign(Tc3Signer.Request.json("sms.tencentcloudapi.com", "sms", "SendSms", payload),
                "AKIDexample", "keyexample", 1764460800L);
        String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload.getBytes(StandardCharsets.UTF_8)));
        assertTrue(signed.canonicalRequest().endsWith("\n" + bodyHash));
        assertTrue(signed.authorization().startsWith("TC3-HMAC-SHA256 Credential=AKIDexample/2025-11-30/sms/tc3_request"));
    }

    @Test
    void aliyun_activation_request_names_the_activation_template_and_a_json_object_of_company_and_username()
            throws Exception {
        String templateParam = AliyunSendSmsRequest.templateParam(ACTIVATION.params());
        JsonNode json = new ObjectMapper().readTree(templateParam);
        assertEquals("绿城物业", json.get("company").asText());
        assertEquals("A0001", json.get("username").asText());
        assertEquals(2, json.size()); // no address: vendors refuse a domain as a variable
        Map<String, String> p = AliyunSendSmsRequest.params("id", "13800138000", "绿城物业", "SMS_20880001", templateParam,
                Instant.parse("2026-11-30T00:00:00Z"), "nonce-2", "JSON");
        assertEquals("SMS_20880001", p.get("TemplateCode"));
        // the signature is HMAC-SHA1("secret&", string to sign) over the percent-encoded, sorted parameters
        String stringToSign = AliyunPopSigner.stringToSign("GET", p);
        assertTrue(stringToSign.contains(AliyunPopSigner.percentEncode("TemplateParam=" + AliyunPopSigner.percentEncode(templateParam))));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("secret&".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, AliyunPopSigner.sign("GET", p, "secret"));
        assertTrue(AliyunPopSigner.signedQuery("GET", p, "secret").startsWith("Signature=" + AliyunPopSigner.percentEncode(expected) + "&"));
    }

    @Test
    void the_code_template_keeps_its_json_shape_for_aliyun() {
        SmsMessage code = SmsMessage.code("lvcheng", "+8613800138000", "验证码 042917", "042917", 5, "login");
        assertEquals("{\"code\":\"042917\",\"minutes\":\"5\"}", AliyunSendSmsRequest.templateParam(code.params()));
    }
}
