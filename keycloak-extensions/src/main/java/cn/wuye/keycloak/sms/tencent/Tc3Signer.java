package cn.wuye.keycloak.sms.tencent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import cn.wuye.keycloak.code.Hmac;

/**
 * Tencent Cloud API 3.0 signature v3 (TC3-HMAC-SHA256) for a POST with a JSON body, as documented in
 * "签名方法 v3": canonical request → string to sign → derived key (date, service, "tc3_request") → signature.
 * A pure function of (request, secret, time).
 */
public final class Tc3Signer {

    public static final String ALGORITHM = "TC3-HMAC-SHA256";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    /**
     * @param host          e.g. {@code sms.tencentcloudapi.com}
     * @param service       e.g. {@code sms}
     * @param contentType   e.g. {@code application/json; charset=utf-8}
     * @param signedHeaders header name (lower case) → value, at least content-type and host
     * @param payload       the exact body bytes as text
     */
    public record Request(String host, String service, String contentType, Map<String, String> signedHeaders, String payload) {

        /** The request shape of the current documentation: content-type, host and x-tc-action are signed. */
        public static Request json(String host, String service, String action, String payload) {
            String ct = "application/json; charset=utf-8";
            return new Request(host, service, ct,
                    Map.of("content-type", ct, "host", host, "x-tc-action", action.toLowerCase(Locale.ROOT)), payload);
        }
    }

    /** @param authorization the Authorization header value */
    public record Signed(String canonicalRequest, String stringToSign, String signature, String authorization) {
    }

    private Tc3Signer() {
    }

    public static Signed sign(Request request, String secretId, String secretKey, long timestampSeconds) {
        SortedMap<String, String> headers = new TreeMap<>();
        request.signedHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.trim()));
        String canonicalHeaders = headers.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue() + "\n")
                .collect(Collectors.joining());
        String signedHeaders = String.join(";", headers.keySet());
        String canonicalRequest = "POST\n/\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n"
                + Hmac.sha256Hex(request.payload());

        String date = DATE.format(Instant.ofEpochSecond(timestampSeconds));
        String scope = date + "/" + request.service() + "/tc3_request";
        String stringToSign = ALGORITHM + "\n" + timestampSeconds + "\n" + scope + "\n" + Hmac.sha256Hex(canonicalRequest);

        byte[] secretDate = Hmac.sha256(("TC3" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        byte[] secretService = Hmac.sha256(secretDate, request.service());
        byte[] secretSigning = Hmac.sha256(secretService, "tc3_request");
        String signature = HexFormat.of().formatHex(Hmac.sha256(secretSigning, stringToSign));

        String authorization = ALGORITHM + " Credential=" + secretId + "/" + scope + ", SignedHeaders=" + signedHeaders
                + ", Signature=" + signature;
        return new Signed(canonicalRequest, stringToSign, signature, authorization);
    }
}
