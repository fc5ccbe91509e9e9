package cn.wuye.keycloak.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cn.wuye.keycloak.sms.aliyun.AliyunPopSigner;
import cn.wuye.keycloak.sms.aliyun.AliyunSendSmsRequest;
import cn.wuye.keycloak.sms.tencent.Tc3Signer;

/** Both vendors' published worked examples, reproduced byte for byte. */
class VendorSigningTest {

    /** Aliyun SMS documentation, "HTTP 协议及签名" example: AccessKeyId testId, secret testSecret. */
    @Test
    void aliyun_send_sms_matches_the_documented_example() {
        Map<String, String> params = AliyunSendSmsRequest.params("testId", "15300000001", "阿里云短信测试专用", "SMS_71390007",
                "{\"customer\":\"test\"}", Instant.parse("2017-07-12T02:42:19Z"), "45e25e9b-0a6f-4070-8c85-2956eda1b466", "XML");
        params.put("OutId", "123");

        assertEquals("GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001"
                + "%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1"
                + "%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce"
                + "%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam"
                + "%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25",
                AliyunPopSigner.stringToSign("GET", params));
        assertEquals("zJDF+Lrzhj/ThnlvIToysFRq6t4=", AliyunPopSigner.sign("GET", params, "testSecret"));
        assertEquals("Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123"
                + "&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B"
                + "%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466"
                + "&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
                + "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25",
                AliyunPopSigner.signedQuery("GET", params, "testSecret"));
    }

    @Test
    void aliyun_special_url_encoding_follows_the_documentation() {
        assertEquals("a%20b%2Ac~", AliyunPopSigner.percentEncode("a b*c~"));
    }

    static final String TENCENT_PAYLOAD = "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
    static final String TENCENT_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    /**
     * The Chinese editions of the documentation computed their printed signatures with the masked key text
     * itself: "Gu5t9xGARNpq86cd98joQYCN3*******" (earlier edition) and 32 asterisks (current edition).
     */
    static final String TENCENT_KEY_ZH_EARLIER = "Gu5t9xGARNpq86cd98joQYCN3*******";
    static final String TENCENT_ID_ZH_CURRENT = "AKID********************************";
    static final String TENCENT_KEY_ZH_CURRENT = "********************************";
    /** The key of the international (English) edition, whose example signature starts 72e494ea8 and ends a96525168. */
    static final String TENCENT_KEY_INTL = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

    /** Tencent Cloud "签名方法 v3" example (cvm DescribeInstances, 1551113065), current shape: x-tc-action signed. */
    @Test
    void tencent_tc3_matches_the_documented_example_with_x_tc_action() {
        Tc3Signer.Signed s = Tc3Signer.sign(Tc3Signer.Request.json("cvm.tencentcloudapi.com", "cvm", "DescribeInstances", TENCENT_PAYLOAD),
                TENCENT_ID_ZH_CURRENT, TENCENT_KEY_ZH_CURRENT, 1551113065L);
        assertEquals("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\n"
                + "content-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", s.canonicalRequest());
        assertEquals("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
                + "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84", s.stringToSign());
        assertEquals("10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f", s.signature());
        assertEquals("TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, "
                + "SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
                s.authorization());
    }

    /** The earlier edition of the same example signs only content-type and host. */
    @Test
    void tencent_tc3_matches_the_earlier_documented_example_without_x_tc_action() {
        String ct = "application/json; charset=utf-8";
        Tc3Signer.Request r = new Tc3Signer.Request("cvm.tencentcloudapi.com", "cvm", ct,
                Map.of("content-type", ct, "host", "cvm.tencentcloudapi.com"), TENCENT_PAYLOAD);
        Tc3Signer.Signed s = Tc3Signer.sign(r, TENCENT_ID, TENCENT_KEY_ZH_EARLIER, 1551113065L);
        assertEquals("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
                + "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031", s.stringToSign());
        assertEquals("2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c", s.signature());
    }

    @Test
    void tencent_tc3_matches_the_international_edition_example() {
        String ct = "application/json; charset=utf-8";
        Tc3Signer.Request r = new Tc3Signer.Request("cvm.tencentcloudapi.com", "cvm", ct,
                Map.of("content-type", ct, "host", "cvm.tencentcloudapi.com"), TENCENT_PAYLOAD);
        Tc3Signer.Signed s = Tc3Signer.sign(r, TENCENT_ID, TENCENT_KEY_INTL, 1551113065L);
        assertEquals("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168", s.signature());
        assertEquals("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
                + "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
                s.authorization());
    }

    @Test
    void tencent_dates_are_utc() {
        // 1551113065 is 2019-02-26 00:44 in Beijing time but 2019-02-25 in UTC
        Tc3Signer.Signed s = Tc3Signer.sign(Tc3Signer.Request.json("sms.tencentcloudapi.com", "sms", "SendSms", "{}"),
                "id", "key", 1551113065L);
        assertEquals(true, s.authorization().contains("/2019-02-25/sms/tc3_request"));
    }
}
