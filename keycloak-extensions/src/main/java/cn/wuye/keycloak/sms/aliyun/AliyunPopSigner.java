package cn.wuye.keycloak.sms.aliyun;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import cn.wuye.keycloak.code.Hmac;

/**
 * Aliyun RPC ("POP") request signing, SignatureMethod HMAC-SHA1, SignatureVersion 1.0, as documented for
 * Dysmsapi SendSms: sort the parameters, percent-encode ("special URL encoding": space as %20, * as %2A,
 * ~ kept), build {@code METHOD&%2F&encode(query)}, HMAC-SHA1 with {@code secret + "&"}, Base64.
 */
public final class AliyunPopSigner {

    private AliyunPopSigner() {
    }

    public static String percentEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A")
                .replace("%7E", "~");
    }

    /** The sorted, encoded query string without the signature. */
    public static String canonicalQuery(Map<String, String> params) {
        SortedMap<String, String> sorted = new TreeMap<>(params);
        sorted.remove("Signature");
        return sorted.entrySet().stream()
                .map(e -> percentEncode(e.getKey()) + "=" + percentEncode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    public static String stringToSign(String httpMethod, Map<String, String> params) {
        return httpMethod + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params));
    }

    /** The Base64 signature (before URL encoding). */
    public static String sign(String httpMethod, Map<String, String> params, String accessKeySecret) {
        byte[] mac = Hmac.mac("HmacSHA1", (accessKeySecret + "&").getBytes(StandardCharsets.UTF_8),
                stringToSign(httpMethod, params).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac);
    }

    /** The complete signed query string, signature first, as the documentation's example URL shows it. */
    public static String signedQuery(String httpMethod, Map<String, String> params, String accessKeySecret) {
        return "Signature=" + percentEncode(sign(httpMethod, params, accessKeySecret)) + "&" + canonicalQuery(params);
    }
}
