package cn.wuye.keycloak.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The network layer under the senders: a slow or dead gateway ends in an SmsException within the timeout. */
class HttpGatewayTest {

    HttpServer server;
    String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok", exchange -> reply(exchange, 200, "{\"ok\":true}"));
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(exchange, 200, "late");
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void a_gateway_that_answers_returns_status_and_body() throws Exception {
        HttpGateway.Reply r = HttpGateway.send(new HttpGateway.Call("POST", URI.create(base + "/ok"),
                Map.of("Content-Type", "application/json"), "{}", Duration.ofSeconds(2)));
        assertEquals(200, r.status());
        assertEquals("{\"ok\":true}", r.body());
    }

    @Test
    void a_slow_gateway_fails_within_the_timeout_instead_of_hanging_the_login_page() {
        long started = System.nanoTime();
        SmsException e = assertThrows(SmsException.class, () -> HttpGateway.send(new HttpGateway.Call("POST",
                URI.create(base + "/slow"), Map.of(), "{}", Duration.ofMillis(500))));
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertTrue(ms < 2000, "took " + ms + " ms");
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void an_unreachable_gateway_fails_with_a_message_that_names_no_secret() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SmsException e = assertThrows(SmsException.class, () -> HttpGateway.send(new HttpGateway.Call("GET",
                URI.create("http://127.0.0.1:" + port + "/?Signature=secret-bits"), Map.of(), null, Duration.ofSeconds(1))));
        assertFalse(e.getMessage().contains("secret-bits"), e.getMessage());
    }
}
