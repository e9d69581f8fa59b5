package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.captioner.Captioner;
import dev.captioner.bench.ServeLoad;
import dev.captioner.testutil.Browser;
import dev.captioner.testutil.Fixtures;
import dev.captioner.testutil.TinyPipeline;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The server with a real (tiny) model: a bounded load, and the web page driven by Chromium. */
class ServeIntegrationTest {

    @TempDir
    static Path shared;

    static TinyPipeline p;
    static ModelService service;
    static CaptionServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        p = TinyPipeline.build(shared);
        service = new ModelService(Captioner.load(p.model()));
        // The real model behind dynamic batching, as `captioner serve` runs it by default.
        server = CaptionServer.start(service, ServeSpec.builder().port(0).maxUploadBytes(10 << 20)
                .workers(2, 64).maxPixels(100_000_000L).build());
    }

    @AfterAll
    static void stop() {
        server.close();
        service.close();
    }

    @Test
    void aBoundedLoadHasNoFailedRequests() throws Exception {
        byte[] jpeg = Files.readAllBytes(p.data().resolve("Flicker8k_Dataset/shapes_000001.jpg"));
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/caption");
        ServeLoad.Result r = ServeLoad.run(uri, jpeg, "image/jpeg", 300, 16);
        System.out.printf("serve load: %d requests, %d concurrent: p50 %.1f ms, p95 %.1f ms, %.0f requests/s%n",
                r.requests(), r.concurrency(), r.p50Ms(), r.p95Ms(), r.requestsPerSecond());
        assertThat(r.requests()).isEqualTo(300);
        assertThat(r.failures()).as("requests not answered 200 with a caption").isZero();
        // Bounded: no request waited anywhere near the client's timeout.
        assertThat(r.maxMs()).isLessThan(20_000);
    }

    @Test
    void thePageCaptionsAnUploadedPhotoInChromium() throws Exception {
        assumeThat(Browser.available()).as("Debian chromium and chromium-driver installed").isTrue();
        Path photo = Fixtures.SHARED.resolve("photos/parrot.jpg");
        if (!Files.exists(photo)) {
            photo = p.data().resolve("Flicker8k_Dataset/shapes_000002.jpg");
        }
        ChromeDriver browser = Browser.start(tmp.resolve("profile"));
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> d.findElement(By.id("model")).getText().startsWith("Model:"));
            assertThat(browser.findElement(By.id("model")).getText()).contains("concepts");
            browser.findElement(By.id("file")).sendKeys(photo.toAbsolutePath().normalize().toString());
            wait.until(d -> !d.findElement(By.id("caption")).getText().isBlank());
            WebElement caption = browser.findElement(By.id("caption"));
            assertThat(caption.getText()).matches("[a-z ()]+");
            assertThat(browser.findElement(By.id("status")).getText()).startsWith("Captioned in");
            assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
            assertThat(browser.findElements(By.cssSelector("#alternatives li"))).hasSize(2);
            Object width = browser.executeScript("return document.getElementById('preview').naturalWidth;");
            assertThat(((Number) width).intValue()).isPositive();
        } finally {
            browser.quit();
        }
    }

    @Test
    void thePageShowsErrorsInWords() throws Exception {
        assumeThat(Browser.available()).as("Debian chromium and chromium-driver installed").isTrue();
        Path notImage = Files.writeString(tmp.resolve("notes.jpg"), "these are not pixels");
        ChromeDriver browser = Browser.start(tmp.resolve("profile2"));
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            browser.findElement(By.id("file")).sendKeys(notImage.toAbsolutePath().normalize().toString());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> d.findElement(By.id("error")).isDisplayed());
            assertThat(browser.findElement(By.id("error")).getText()).contains("not an image");
        } finally {
            browser.quit();
        }
    }

    /**
     * With an API key, the page (open, with its security headers) asks for the key once, keeps it
     * for the tab, captions with it and then shows the model it could not describe before.
     */
    @Test
    void onAKeyedServerThePageAsksForTheKeyOnceAndUsesIt() throws Exception {
        assumeThat(Browser.available()).as("Debian chromium and chromium-driver installed").isTrue();
        String key = "page-test-key-0123456789abcdef";
        Path photo = p.data().resolve("Flicker8k_Dataset/shapes_000002.jpg");
        try (CaptionServer keyed = CaptionServer.start(service, ServeSpec.builder().port(0).workers(2, 16)
                .access(key, null).build())) {
            ChromeDriver browser = Browser.start(tmp.resolve("profile3"));
            try {
                browser.get("http://127.0.0.1:" + keyed.port() + "/");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.until(d -> d.findElement(By.id("model")).getText().contains("API key"));
                browser.findElement(By.id("file")).sendKeys(photo.toAbsolutePath().normalize().toString());
                wait.until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
                browser.switchTo().alert().sendKeys(key);
                browser.switchTo().alert().accept();
                wait.until(d -> !d.findElement(By.id("caption")).getText().isBlank());
                assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
                wait.until(d -> d.findElement(By.id("model")).getText().startsWith("Model:"));
            } finally {
                browser.quit();
            }
        }
    }
}
