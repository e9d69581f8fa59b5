package dev.captioner.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.captioner.data.LoadSpec;
import dev.captioner.eval.Metrics;
import dev.captioner.model.Architecture;
import dev.captioner.train.Baseline;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.Objective;
import dev.captioner.train.RewardMetric;
import dev.captioner.train.TrainConfig;
import dev.captioner.testutil.Browser;
import dev.captioner.testutil.Fixtures;
import dev.captioner.testutil.TinyPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The pipeline on a tiny dataset. One run is made once and only read by the tests; a test that
 * runs the pipeline again does so on its own copy of that run folder, so no test depends on
 * another or on their order.
 */
class PipelineTest {

    @TempDir
    static Path shared;

    static TinyPipeline p;
    static RunPipeline.Result first;
    static Path run;

    @TempDir
    Path tmp;

    static RunSpec settings(Path out, int beam) {
        return settings(out, beam, Architecture.MERGE);
    }

    static RunSpec settings(Path out, int beam, Architecture architecture) {
        return new RunSpec(new RunSpec.Source(p.data(), LoadSpec.defaults(), "concepts", p.encoder(), null, 4), out,
                ModelSpec.defaults().withArchitecture(architecture).withSizes(16, 16).withDropout(0.1f)
                        .withSettingsFrom(new ModelSpec.TransformerSpec(2, 16, 4, 32, false, 0)),
                new TrainConfig(2, 16, 1e-2f, 5f, 2, Objective.SEQUENCE, 1), new RunSpec.Report(beam, 3), null);
    }

    @BeforeAll
    static void runOnce() throws Exception {
        p = TinyPipeline.build(shared);
        run = shared.resolve("run");
        first = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(settings(run, 2));
    }

    @Test
    void theFirstRunRunsEveryStageAndWritesEveryOutput() throws Exception {
        assertThat(first.stagesRun()).containsExactly("stats", "features", "explore", "train", "evaluate", "report");
        for (String png : List.of("explore/samples.png", "explore/top_words.png", "explore/caption_lengths.png",
                "explore/pca_clusters.png", "explore/cluster_examples.png", "model/loss.png", "eval/predictions.png",
                "eval/best_worst.png")) {
            assertThat(ImageIO.read(run.resolve(png).toFile())).as(png).isNotNull();
        }
        assertThat(first.greedy().beam()).isEqualTo(1);
        assertThat(first.beam().beam()).isEqualTo(2);
        assertThat(first.report()).isRegularFile();
    }

    @Test
    void aRerunSkipsUpToDateStagesAndAChangedSettingRerunsOnlyWhatDependsOnIt() throws Exception {
        Path copy = Fixtures.copyTree(run, tmp.resolve("run"));
        RunPipeline.Result again = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(settings(copy, 2));
        assertThat(again.stagesRun()).isEmpty();
        assertThat(again.greedy()).isEqualTo(first.greedy());
        RunPipeline.Result beam3 = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(settings(copy, 3));
        assertThat(beam3.stagesRun()).containsExactly("evaluate", "report");
        assertThat(beam3.beam().beam()).isEqualTo(3);
        assertThat(beam3.greedy()).isEqualTo(first.greedy());
    }

    @Test
    void fineTuningAddedToAFinishedRunRunsOnlyItsStagesAndTheReportShowsBothModels() throws Exception {
        Path copy = Fixtures.copyTree(run, tmp.resolve("run"));
        RunSpec s = settings(copy, 2).withFinetune(new FinetuneConfig(RewardMetric.CIDER_D, 3, Baseline.OTHERS, 2,
                1e-3f, 12, 8, 5f, 3, 1));
        RunPipeline.Result r = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(s);
        assertThat(r.stagesRun()).containsExactly("finetune", "evaluate-finetuned", "report");
        assertThat(r.greedy()).as("the cross-entropy model's scores stay").isEqualTo(first.greedy());
        assertThat(r.finetuned()).extracting(Metrics::beam).containsExactly(1, 2);
        assertThat(copy.resolve(RunPipeline.FINETUNED).resolve("config.json")).isRegularFile();
        assertThat(ImageIO.read(copy.resolve(RunPipeline.FINETUNED).resolve("finetune.png").toFile())).isNotNull();
        String html = Files.readString(r.report());
        assertThat(html).contains("fine-tuned on CIDEr-D", "Self-critical fine-tuning", "repeated trigrams");
        RunPipeline.Result again = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(s);
        assertThat(again.stagesRun()).isEmpty();
        assertThat(again.finetuned()).isEqualTo(r.finetuned());
    }

    @Test
    void aRunOfAModelWithAttentionMapsUsesGridFeaturesAndShowsWhereTheModelLooked() throws Exception {
        for (Architecture a : Architecture.values()) {
            if (a.attentionMaps()) {
                showsWhereTheModelLooked(a);
            }
        }
        assertThat(java.nio.file.Files.readString(first.report())).doesNotContain("Where the model looked");
    }

    private void showsWhereTheModelLooked(Architecture a) throws Exception {
        Path out = tmp.resolve(a.id() + "-run");
        RunPipeline.Result r = new RunPipeline(new PrintStream(new ByteArrayOutputStream())).run(settings(out, 2, a));
        assertThat(out.resolve(RunPipeline.GRID_FEATURES)).as(a.id()).isRegularFile();
        assertThat(out.resolve(RunPipeline.FEATURES)).doesNotExist();
        List<Path> pictures;
        try (var files = java.nio.file.Files.list(out.resolve("eval/attention"))) {
            pictures = files.sorted().toList();
        }
        assertThat(pictures).as(a.id()).hasSize(4);
        assertThat(pictures.get(0).getFileName().toString())
                .isEqualTo(r.predictions().get(0).image().replaceAll("\\.jpg$", ".png"));
        for (Path picture : pictures) {
            assertThat(ImageIO.read(picture.toFile()).getWidth()).as(picture.toString()).isGreaterThan(64);
        }
        String html = java.nio.file.Files.readString(r.report());
        assertThat(html).contains("Where the model looked").contains("img/attention-" + pictures.get(0).getFileName());
        assertThat(out.resolve("report/img/attention-" + pictures.get(0).getFileName())).isRegularFile();
    }

    @Test
    void theReportWorksOfflineInHeadlessChromium() throws Exception {
        assumeThat(Browser.available()).as("Debian chromium and chromium-driver installed").isTrue();
        ChromeDriver browser = Browser.start(tmp.resolve("profile"));
        try {
            browser.get(first.report().toUri().toString());
            List<WebElement> images = browser.findElements(By.tagName("img"));
            assertThat(images).hasSizeGreaterThanOrEqualTo(8);
            for (WebElement img : images) {
                Object width = ((JavascriptExecutor) browser).executeScript(
                        "return arguments[0].complete ? arguments[0].naturalWidth : -1;", img);
                assertThat(((Number) width).intValue()).as(img.getAttribute("src")).isGreaterThan(0);
            }
            String metrics = browser.findElement(By.id("metrics")).getText();
            assertThat(metrics).contains("BLEU-4").contains("greedy").contains("beam 2")
                    .contains(String.format(java.util.Locale.ROOT, "%.4f", first.greedy().bleu4()));
            assertThat(browser.findElement(By.id("predictions")).getText()).contains(first.predictions().get(0).caption());
            assertThat(browser.getPageSource()).doesNotContain("http://").doesNotContain("https://");
        } finally {
            browser.quit();
        }
    }
}
