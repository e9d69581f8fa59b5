package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} is valid Prometheus text exposition (checked by a strict parser written from
 * the format's specification) whose counters move with the requests, and {@code /openapi.json}
 * describes exactly the routes the server answers, with the statuses they give.
 */
class MetricsAndOpenApiTest {

    private CaptionServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = CaptionServer.start(new MicroBatchingTest.RecordingService(),
                ServeSpec.builder().port(0).maxUploadBytes(1 << 20).workers(2, 16).maxPixels(1_000_000).batching(4, 2).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (body != null) {
            b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One sample line: metric name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

    /**
     * Parses Prometheus' text format (version 0.0.4) strictly: every line a HELP, a TYPE before
     * its family's samples, or a sample of a declared family; labels well formed; histogram
     * buckets cumulative and ending in {@code +Inf} equal to the count.
     */
    static List<Sample> parse(String text) {
        assertThat(text).endsWith("\n");
        Map<String, String> types = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = TYPE.matcher(line)).matches()) {
                assertThat(types.put(m.group(1), m.group(2))).as("TYPE once per family: " + line).isNull();
            } else if (HELP.matcher(line).matches()) {
                continue;
            } else if (line.startsWith("#")) {
                throw new AssertionError("unknown comment line: " + line);
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    Matcher l = LABEL.matcher(m.group(3));
                    int at = 0;
                    while (l.find() && l.start() == at) {
                        labels.put(l.group(1), l.group(2));
                        at = l.end();
                    }
                    assertThat(at).as("labels of " + line).isEqualTo(m.group(3).length());
                }
                String name = m.group(1);
                String family = family(name, types);
                assertThat(family).as("a declared family for " + line).isNotNull();
                samples.add(new Sample(name, labels, Double.parseDouble(m.group(4).replace("+Inf", "Infinity")
                        .replace("-Inf", "-Infinity"))));
            } else {
                throw new AssertionError("not Prometheus text format: " + line);
            }
        }
        checkHistograms(samples, types);
        return samples;
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_total", "_bucket", "_count", "_sum", "_created")) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    private static void checkHistograms(List<Sample> samples, Map<String, String> types) {
        for (Map.Entry<String, String> t : types.entrySet()) {
            if (!t.getValue().equals("histogram")) {
                continue;
            }
            Map<Map<String, String>, List<Sample>> series = new HashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(t.getKey() + "_bucket")) {
                    Map<String, String> key = new HashMap<>(s.labels());
                    assertThat(key.remove("le")).as("bucket with le").isNotNull();
                    series.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                }
            }
            for (Map.Entry<Map<String, String>, List<Sample>> e : series.entrySet()) {
                double last = 0;
                for (Sample b : e.getValue()) {
                    assertThat(b.value()).as("cumulative buckets").isGreaterThanOrEqualTo(last);
                    last = b.value();
                }
                assertThat(e.getValue().get(e.getValue().size() - 1).labels().get("le")).isEqualTo("+Inf");
                double count = samples.stream().filter(s -> s.name().equals(t.getKey() + "_count")
                        && s.labels().equals(e.getKey())).findFirst().orElseThrow().value();
                assertThat(last).isEqualTo(count);
            }
        }
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    @Test
    void metricsParseAndMoveWithRequests() throws Exception {
        HttpResponse<String> first = send("GET", "/metrics", null, null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        List<Sample> before = parse(first.body());
        for (int i = 0; i < 3; i++) {
            assertThat(send("POST", "/api/caption", "image/png", CaptionServerTest.png(8, 8)).statusCode()).isEqualTo(200);
        }
        assertThat(send("POST", "/api/caption", "text/plain", new byte[] {1}).statusCode()).isEqualTo(415);
        List<Sample> after = parse(send("GET", "/metrics", null, null).body());
        Map<String, String> ok = Map.of("route", "/api/caption", "method", "POST", "status", "200");
        assertThat(value(after, "captioner_http_requests_total", ok) - value(before, "captioner_http_requests_total", ok))
                .isEqualTo(3);
        assertThat(value(after, "captioner_http_requests_total", Map.of("route", "/api/caption", "status", "415")))
                .isEqualTo(1);
        assertThat(value(after, "captioner_stage_duration_seconds_count", Map.of("stage", "decode"))).isEqualTo(3);
        assertThat(value(after, "captioner_batch_size_count", Map.of())).isBetween(1.0, 3.0);
        assertThat(value(after, "captioner_batch_size_sum", Map.of())).isEqualTo(3);
        assertThat(value(after, "captioner_http_request_duration_seconds_count", Map.of("route", "/api/caption")))
                .isEqualTo(4);
        for (String gauge : List.of("captioner_queue_depth", "captioner_uploads_in_flight",
                "captioner_memory_budget_in_use_bytes", "captioner_model_load_seconds")) {
            assertThat(after).as(gauge).anyMatch(s -> s.name().equals(gauge));
        }
        assertThat(value(after, "captioner_uploads_in_flight", Map.of())).isZero();
    }

    @Test
    void theParserRefusesWhatIsNotTheFormat() {
        assertThat(parse("# TYPE a counter\na_total{x=\"1\"} 2\n")).hasSize(1);
        for (String bad : List.of("a_total 1\n", "# TYPE a counter\na_total{x=1} 2\n", "# TYPE a gauge\na two\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n")) {
            try {
                parse(bad);
                throw new IllegalStateException("accepted: " + bad);
            } catch (AssertionError expected) {
                // refused, as it should be
            }
        }
    }

    @Test
    void theOpenApiDescriptionMatchesTheServer() throws Exception {
        HttpResponse<String> r = send("GET", "/openapi.json", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode api = new ObjectMapper().readTree(r.body());
        assertThat(api.get("openapi").asText()).startsWith("3.1");
        int called = 0;
        for (Map.Entry<String, JsonNode> path : api.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                byte[] body = method.equals("POST") ? CaptionServerTest.png(8, 8) : null;
                HttpResponse<String> answer = send(method, path.getKey(), "image/png", body);
                assertThat(op.getValue().get("responses").has(String.valueOf(answer.statusCode())))
                        .as(method + " " + path.getKey() + " answered " + answer.statusCode()).isTrue();
                assertThat(answer.statusCode()).as(method + " " + path.getKey()).isEqualTo(200);
                JsonNode content = op.getValue().at("/responses/200/content");
                if (content.has("application/json")) {
                    // The answer has the shape the description gives it.
                    List<String> problems = new ArrayList<>();
                    conforms(new ObjectMapper().readTree(answer.body()), content.at("/application~1json/schema"), api,
                            method + " " + path.getKey(), problems);
                    assertThat(problems).as("where the answer departs from its schema").isEmpty();
                }
                called++;
            }
        }
        assertThat(called).isEqualTo(6);
        // The error shape too, and the schema check itself refuses what departs from a schema.
        List<String> problems = new ArrayList<>();
        conforms(new ObjectMapper().readTree(send("POST", "/api/caption", "text/plain", new byte[] {1}).body()),
                api.at("/components/schemas/Error"), api, "415", problems);
        assertThat(problems).isEmpty();
        conforms(new ObjectMapper().readTree("{\"caption\": 3, \"ms\": 1}"), api.at("/components/schemas/Caption"), api,
                "bad", problems);
        assertThat(problems).anyMatch(p -> p.contains("alternatives")).anyMatch(p -> p.contains("caption"));
        // And the server answers no API route the description leaves out.
        for (String route : List.of("/api/files", "/api/admin", "/api/shutdown")) {
            assertThat(send("GET", route, null, null).statusCode()).isEqualTo(404);
        }
    }

    /**
     * Checks a JSON value against the subset of JSON Schema the description uses: {@code $ref}
     * into its components, {@code type}, {@code required}, {@code properties} and {@code items}.
     */
    static void conforms(JsonNode value, JsonNode schema, JsonNode api, String where, List<String> problems) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            conforms(value, api.at(ref.substring(1)), api, where, problems);
            return;
        }
        if (schema.has("type")) {
            String type = schema.get("type").asText();
            boolean ok = switch (type) {
                case "object" -> value.isObject();
                case "array" -> value.isArray();
                case "string" -> value.isTextual();
                case "integer" -> value.isIntegralNumber();
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                default -> throw new AssertionError("a schema type this check does not know: " + type);
            };
            if (!ok) {
                problems.add(where + ": " + value + " is not of type " + type);
                return;
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                problems.add(where + ": required " + required.asText() + " is missing");
            }
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            if (value.has(property.getKey())) {
                conforms(value.get(property.getKey()), property.getValue(), api, where + "." + property.getKey(),
                        problems);
            }
        }
        if (schema.has("items") && value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                conforms(value.get(i), schema.get("items"), api, where + "[" + i + "]", problems);
            }
        }
    }
}
