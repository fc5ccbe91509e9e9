package cn.wuye.keycloak.sms;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/** The thin network layer under the senders: one request, a hard timeout, no retries. */
public final class HttpGateway {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** @param body null for GET */
    public record Call(String method, URI uri, Map<String, String> headers, String body, Duration timeout) {
    }

    public record Reply(int status, String body) {
    }

    private HttpGateway() {
    }

    public static Reply send(Call call) throws SmsException {
        HttpRequest.Builder b = HttpRequest.newBuilder(call.uri()).timeout(call.timeout());
        call.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("host")) { // the client sets Host itself
                b.header(k, v);
            }
        });
        if (call.body() == null) {
            b.GET();
        } else {
            b.method(call.method(), HttpRequest.BodyPublishers.ofString(call.body()));
        }
        try {
            HttpResponse<String> r = CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                    .get(call.timeout().toMillis() + 500, java.util.concurrent.TimeUnit.MILLISECONDS);
            return new Reply(r.statusCode(), r.body());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SmsException("gateway timed out after " + call.timeout().toMillis() + " ms: " + call.uri().getHost());
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new SmsException("gateway timed out after " + call.timeout().toMillis() + " ms: " + call.uri().getHost());
            }
            if (cause instanceof IOException) {
                throw new SmsException("gateway unreachable (" + cause.getClass().getSimpleName() + "): " + call.uri().getHost());
            }
            throw new SmsException("gateway call failed: " + call.uri().getHost(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmsException("interrupted while calling the gateway");
        }
    }
}
