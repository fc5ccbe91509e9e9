package cn.wuye.keycloak.sms.aliyun;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.wuye.keycloak.sms.SmsMessage;

/** The parameters of Dysmsapi SendSms (API version 2017-05-25), a pure function of its inputs. */
public final class AliyunSendSmsRequest {

    public static final String ENDPOINT = "https://dysmsapi.aliyuncs.com/";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    private AliyunSendSmsRequest() {
    }

    /** {@code TemplateParam}: the message's parameters as one JSON object, by name, e.g. {@code {"code":"123456"}}. */
    public static String templateParam(List<SmsMessage.Param> params) {
        Map<String, String> object = new LinkedHashMap<>();
        params.forEach(p -> object.put(p.name(), p.value()));
        try {
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param phoneNumbers  the mobile without the +86 prefix (Aliyun's mainland format)
     * @param templateParam JSON object text, e.g. {@code {"code":"123456"}}
     */
    public static Map<String, String> params(String accessKeyId, String phoneNumbers, String signName, String templateCode,
                                             String templateParam, Instant timestamp, String nonce, String format) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccessKeyId", accessKeyId);
        p.put("Action", "SendSms");
        p.put("Format", format);
        p.put("PhoneNumbers", phoneNumbers);
        p.put("RegionId", "cn-hangzhou");
        p.put("SignName", signName);
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureNonce", nonce);
        p.put("SignatureVersion", "1.0");
        p.put("TemplateCode", templateCode);
        p.put("TemplateParam", templateParam);
        p.put("Timestamp", ISO.format(timestamp));
        p.put("Version", "2017-05-25");
        return p;
    }
}
