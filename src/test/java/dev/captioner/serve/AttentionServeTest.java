package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.Captioner;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import dev.captioner.model.Architecture;
import dev.captioner.testutil.Browser;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.testutil.Tolerance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The server with a tiny attention model: the API's {@code attention} field and the page's overlay (a subclass runs it on the transformer). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttentionServeTest {

    /** @return the architecture under test: one whose captions carry attention maps */
    Architecture architecture() {
        return Architecture.ATTENTION;
    }

    TinyPipeline p;
    ModelService service;
    CaptionServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    void start(@TempDir Path shared) throws Exception {
        p = TinyPipeline.build(shared, architecture());
        service = new ModelService(Captioner.load(p.model()));
        server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(10 << 20)
                .workers(2, 64).maxPixels(100_000_000L).build());
    }

    @AfterAll
    void stop() {
        server.close();
        service.close();
    }

    @Test
    void theApiAnswersEachWordsWeights() throws Exception {
        byte[] jpeg = Files.readAllBytes(p.data().resolve("Flicker8k_Dataset/shapes_000001.jpg"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/caption?beam=2"))
                .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(r.body());
        List<String> words = List.of(body.get("caption").asText().split(" "));
        JsonNode attention = body.get("attention");
        assertThat(attention).hasSize(words.size());
        int h = service.attentionGrid().height();
        int w = service.attentionGrid().width();
        for (int i = 0; i < words.size(); i++) {
            JsonNode a = attention.get(i);
            assertThat(a.get("word").asText()).isEqualTo(words.get(i));
            assertThat(a.get("height").asInt()).isEqualTo(h);
            assertThat(a.get("width").asInt()).isEqualTo(w);
            assertThat(a.get("weights")).hasSize(h);
            double sum = 0;
            for (JsonNode row : a.get("weights")) {
                assertThat(row).hasSize(w);
                for (JsonNode v : row) {
                    assertThat(v.asDouble()).isBetween(0.0, 1.0);
                    sum += v.asDouble();
                }
            }
            // float32 softmax weights, each rounded with its normalising sum over the grid.
            assertThat(sum).isCloseTo(1.0, Tolerance.relative(1.0, Tolerance.floatSums(h * w + 1)));
        }
        HttpResponse<String> model = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/model")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode m = new ObjectMapper().readTree(model.body());
        assertThat(m.get("architecture").asText()).isEqualTo(architecture().id());
        assertThat(m.get("attention_grid").get("height").asInt()).isEqualTo(h);
    }

    @Test
    void thePageOverlaysTheMapOfTheWordUnderThePointer() throws Exception {
        assumeThat(Browser.available()).as("Debian chromium and chromium-driver installed").isTrue();
        // A photo whose caption has two words to point at, whatever beam the page asks for: what
        // the tiny model writes depends on the float kernels it was trained with.
        Path photo = null;
        for (int i = 2; i < 40 && photo == null; i++) {
            Path candidate = p.data().resolve(String.format(java.util.Locale.ROOT, "Flicker8k_Dataset/shapes_%06d.jpg", i));
            RgbImage image = ImageLoader.withDefaults().load(candidate);
            if (service.caption(image, 1).get(0).words().size() >= 2 && service.caption(image, 3).get(0).words().size() >= 2) {
                photo = candidate;
            }
        }
        assertThat(photo).as("a test photo the tiny model captions with two words or more").isNotNull();
        ChromeDriver browser = Browser.start(tmp.resolve("profile"));
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            browser.findElement(By.id("file")).sendKeys(photo.toAbsolutePath().normalize().toString());
            wait.until(d -> !d.findElements(By.cssSelector("#caption .word")).isEmpty());
            List<WebElement> words = browser.findElements(By.cssSelector("#caption .word"));
            assertThat(words.size()).as("the tiny model's caption has at least two words").isGreaterThanOrEqualTo(2);
            WebElement overlay = browser.findElement(By.id("overlay"));
            assertThat(overlay.isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("attention-help")).isDisplayed()).isTrue();

            String script = "var c = document.getElementById('overlay');"
                    + "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(',');";
            int[] pair = {0, 1};
            new Actions(browser).moveToElement(words.get(pair[0])).perform();
            wait.until(d -> String.valueOf(pair[0]).equals(d.findElement(By.id("overlay")).getAttribute("data-word")));
            assertThat(overlay.isDisplayed()).isTrue();
            assertThat(words.get(pair[0]).getAttribute("class")).contains("active");
            String first = (String) browser.executeScript(script);

            new Actions(browser).moveToElement(words.get(pair[1])).perform();
            wait.until(d -> String.valueOf(pair[1]).equals(d.findElement(By.id("overlay")).getAttribute("data-word")));
            String second = (String) browser.executeScript(script);
            assertThat(second).as("the overlay changes with the word").isNotEqualTo(first);
            assertThat(words.get(pair[0]).getAttribute("class")).doesNotContain("active");

            // The overlay covers the photo exactly.
            Object same = browser.executeScript("var i = document.getElementById('preview').getBoundingClientRect();"
                    + "var o = document.getElementById('overlay').getBoundingClientRect();"
                    + "return Math.abs(i.width - o.width) < 1 && Math.abs(i.height - o.height) < 1 && i.width > 0;");
            assertThat(same).isEqualTo(Boolean.TRUE);
        } finally {
            browser.quit();
        }
    }
}
