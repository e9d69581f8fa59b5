package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.HandlerType;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deny by default: every route the server has, called with no key, a wrong key and the right
 * key, under every spelling of its path a client might try (as it is, with a trailing slash, a
 * doubled slash, a letter percent-encoded, in capitals, with a {@code ;} path parameter) and
 * with HEAD and OPTIONS. A keyed route never answers 2xx without the right key, whatever the
 * spelling; an open route answers the same with any key; nothing answers 500. Raw sockets, so
 * that every spelling reaches the server as written.
 */
class RouteAccessTest {

    private static final String KEY = "route-access-test-key-0123456789";
    private CaptionServer server;

    @BeforeEach
    void start() {
        server = CaptionServer.start(new CaptionServerTest.FakeService(0), ServeSpec.builder().port(0)
                .maxUploadBytes(1 << 20).workers(2, 16).maxPixels(1_000_000).access(KEY, null).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A status line's code and the body. */
    record Answer(int status, String head, String body) {}

    private Answer send(String method, String target, String key, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n");
            if (key != null) {
                req.append("Authorization: Bearer ").append(key).append("\r\n");
            }
            if (body != null) {
                req.append("Content-Type: image/png\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            return new Answer(Integer.parseInt(text.substring(9, 12)), head, end < 0 ? "" : text.substring(end + 4));
        }
    }

    /** @return the spellings of a path, by name */
    private static Map<String, String> spellings(String path) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("as is", path);
        m.put("trailing slash", path.endsWith("/") ? path + "/" : path + "/");
        m.put("doubled slash", "/" + path);
        int letter = path.length() > 1 ? 1 : -1;
        if (letter > 0) {
            m.put("percent-encoded", path.substring(0, letter)
                    + String.format(Locale.ROOT, "%%%02X", (int) path.charAt(letter)) + path.substring(letter + 1));
        }
        m.put("capitals", path.toUpperCase(Locale.ROOT));
        m.put("path parameter", path + ";x=1");
        return m;
    }

    @Test
    void everyRouteUnderEverySpellingAnswersAsTheAllowListSays() throws Exception {
        byte[] png = CaptionServerTest.png(8, 8);
        List<String> table = new ArrayList<>();
        for (Routes.Route route : server.routes()) {
            for (Map.Entry<String, String> spelling : spellings(route.path()).entrySet()) {
                List<String> methods = new ArrayList<>(List.of(route.method().name()));
                if (route.method() == HandlerType.GET) {
                    methods.add("OPTIONS");
                }
                for (String method : methods) {
                    byte[] body = method.equals("POST") ? png : null;
                    Answer none = send(method, spelling.getValue(), null, body);
                    Answer wrong = send(method, spelling.getValue(), "not-the-key-0123456789", body);
                    Answer right = send(method, spelling.getValue(), KEY, body);
                    String what = method + " " + spelling.getValue() + " (" + spelling.getKey() + ")";
                    table.add(String.format(Locale.ROOT, "%-52s open=%-5s none %d, wrong %d, right %d", what,
                            route.open(), none.status(), wrong.status(), right.status()));
                    for (Answer a : List.of(none, wrong, right)) {
                        assertThat(a.status()).as(what + " never 500").isNotEqualTo(500);
                        assertThat(a.head()).as(what + " carries the security headers")
                                .contains("Content-Security-Policy: default-src 'self'")
                                .contains("X-Content-Type-Options: nosniff").contains("Referrer-Policy: no-referrer");
                    }
                    if (!route.open()) {
                        assertThat(none.status()).as(what + " without a key").isNotIn(200, 201, 202, 203, 204, 205, 206);
                        assertThat(wrong.status()).as(what + " with a wrong key").isNotIn(200, 201, 202, 203, 204, 205, 206);
                    } else {
                        assertThat(none.status()).as(what + ": an open route answers alike with any key")
                                .isEqualTo(right.status()).isEqualTo(wrong.status());
                    }
                    // Javalin routes a trailing slash to the same route; percent-encoded letters,
                    // capitals and path parameters match nothing, doubled slashes are malformed.
                    boolean sameRoute = spelling.getKey().equals("as is") || spelling.getKey().equals("trailing slash")
                            && !route.path().equals("/");
                    if (sameRoute && !method.equals("OPTIONS")) {
                        // What reaches the route: exactly as the allow-list says.
                        assertThat(right.status()).as(what + " with the key").isEqualTo(200);
                        if (!route.open()) {
                            assertThat(none.status()).as(what + " without a key").isEqualTo(401);
                            assertThat(wrong.status()).as(what + " with a wrong key").isEqualTo(401);
                            assertThat(none.head()).contains("WWW-Authenticate: Bearer");
                        } else {
                            assertThat(none.status()).as(what + " open").isEqualTo(200);
                        }
                    } else if (!spelling.getKey().equals("as is")) {
                        // Another spelling: refused as malformed or unknown, never another route.
                        assertThat(right.status()).as(what).isIn(400, 404, 405, 200);
                    }
                }
            }
        }
        System.out.println(String.join("\n", table));
    }

    /** The routes the server registers are the API's, as OpenAPI lists them, plus the page. */
    @Test
    void theRouteTableIsWhatOpenApiListsAndThePage() throws Exception {
        Answer a = send("GET", "/openapi.json", KEY, null);
        JsonNode api = new ObjectMapper().readTree(a.body());
        Set<String> documented = new TreeSet<>();
        Set<String> keyed = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : api.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String r = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                documented.add(r);
                if (op.getValue().has("security")) {
                    keyed.add(r);
                }
            }
        }
        Set<String> served = new TreeSet<>();
        Set<String> servedKeyed = new TreeSet<>();
        for (Routes.Route r : server.routes()) {
            if (r.method() == HandlerType.HEAD || Routes.PAGE.containsKey(r.path().substring(1)) || r.path().equals("/")) {
                continue;
            }
            served.add(r.method().name() + " " + r.path());
            if (!r.open()) {
                servedKeyed.add(r.method().name() + " " + r.path());
            }
        }
        assertThat(served).isEqualTo(documented);
        assertThat(servedKeyed).as("routes OpenAPI says need the key").isEqualTo(keyed);
        assertThat(server.routes().stream().filter(Routes.Route::open).map(r -> r.method() + " " + r.path()))
                .containsExactlyInAnyOrder("GET /api/health", "HEAD /api/health", "GET /api/ready", "HEAD /api/ready",
                        "GET /", "HEAD /", "GET /index.html", "HEAD /index.html", "GET /app.js", "HEAD /app.js",
                        "GET /style.css", "HEAD /style.css");
    }

    @Test
    void theModelsDescriptionIsReadOnceWhenTheModelLoads() throws Exception {
        java.util.concurrent.atomic.AtomicInteger described = new java.util.concurrent.atomic.AtomicInteger();
        CaptionService counting = new CaptionService() {
            @Override
            public List<dev.captioner.decode.Caption> caption(dev.captioner.image.RgbImage image, int beam) {
                return List.of();
            }

            @Override
            public Map<String, Object> describe() {
                described.incrementAndGet();
                return Map.of("architecture", "merge");
            }
        };
        try (CaptionServer s = CaptionServer.start(counting, ServeSpec.builder().port(0).access(KEY, null).build())) {
            for (int i = 0; i < 3; i++) {
                java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + s.port()
                                + "/api/model")).header("Authorization", "Bearer " + KEY).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).contains("merge");
            }
        }
        assertThat(described.get()).as("describe() calls, which read metrics files from disk").isEqualTo(1);
    }

    @Test
    void theModelsDescriptionShowsNoServerPaths() throws Exception {
        Answer a = send("GET", "/api/model", KEY, null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).doesNotContain("/tmp").doesNotContain("/home").doesNotContain("\\\\");
        assertThat(dev.captioner.Captioner.withoutFolders("onnx:/srv/models/clip.onnx")).isEqualTo("onnx:clip.onnx");
        assertThat(dev.captioner.Captioner.withoutFolders("torchscript:C:\\models\\r.pt")).isEqualTo("torchscript:r.pt");
        assertThat(dev.captioner.Captioner.withoutFolders("vgg16")).isEqualTo("vgg16");
    }
}
