package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @TempDir
    Path tmp;

    @Test
    void helpAndVersionExitZero() {
        Cli help = Cli.run("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: captioner").contains("dataset");
        Cli version = Cli.run("--version");
        assertThat(version.status()).isZero();
        // Version, the commit it was built from, and the DJL and PyTorch versions, for bug reports.
        assertThat(version.out().lines()).hasSize(2);
        assertThat(version.out()).containsPattern("^captioner \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{10}|unknown)")
                .contains("DJL 0.36.0, PyTorch 2.7.1 (CPU, ");
        assertThat(Cli.run("dataset", "stats", "--help").out()).contains("--data").contains("--cleaning");
    }

    @Test
    void wrongCommandLineExitsTwo() {
        Cli unknown = Cli.run("dataset", "stats", "--data", "x", "--no-such-option");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("error: Unknown option: '--no-such-option'");
        Cli missing = Cli.run("dataset", "stats");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--data");
        Cli badFormat = Cli.run("dataset", "stats", "--data", "x", "--format", "imagenet");
        assertThat(badFormat.status()).isEqualTo(2);
        assertThat(badFormat.err()).contains("unknown format 'imagenet'").contains("flickr8k-kaggle");
    }

    @Test
    void badInputExitsOneWithOneLineAndNoStackTrace() throws Exception {
        Fixtures.flickr8k(tmp);
        Files.writeString(tmp.resolve("Flickr8k_text/Flickr8k.token.txt"), "a.jpg#0\tfine\nbroken line\n");
        Cli r = Cli.run("dataset", "stats", "--data", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").contains("Flickr8k.token.txt:2:");
        Cli debug = Cli.run("--debug", "dataset", "stats", "--data", tmp.toString());
        assertThat(debug.status()).isEqualTo(1);
        assertThat(debug.err()).contains("at dev.captioner.");
        Cli lenient = Cli.run("dataset", "stats", "--data", tmp.toString(), "--lenient", "--json");
        assertThat(lenient.status()).isZero();
        assertThat(lenient.out()).contains("\"skipped_lines\":1");
    }

    @Test
    void statsPrintsATableAndJson() throws Exception {
        Fixtures.flickr8k(tmp);
        Cli table = Cli.run("dataset", "stats", "--data", tmp.toString());
        assertThat(table.status()).isZero();
        assertThat(table.out()).contains("images           4 (1 missing)").contains("vocabulary size  21 (train split: 11)");
        Cli json = Cli.run("dataset", "stats", "--data", tmp.toString(), "--json", "--cleaning", "keep-short");
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.get("images").asInt()).isEqualTo(4);
        assertThat(node.get("top_words").get(0).get(0).asText()).isEqualTo("a");
        // The tutorial's cleaning under its old name: the same words, and a warning.
        Cli renamed = Cli.run("dataset", "stats", "--data", tmp.toString(), "--cleaning", "seed");
        assertThat(renamed.status()).isZero();
        assertThat(renamed.err()).contains("warning: --cleaning seed is now called keras-tutorial");
        assertThat(renamed.out()).isEqualTo(table.out());
        Cli wrong = Cli.run("dataset", "stats", "--data", tmp.toString(), "--cleaning", "fancy");
        assertThat(wrong.status()).isEqualTo(2);
        assertThat(wrong.err()).contains("--cleaning: unknown cleaning 'fancy'");
    }

    @Test
    void synthWritesADatasetThatStatsReads() {
        Path out = tmp.resolve("shapes");
        Cli synth = Cli.run("dataset", "synth", "--out", out.toString(), "--images", "24", "--size", "48", "--seed", "9");
        assertThat(synth.status()).isZero();
        assertThat(synth.out()).contains("wrote 24 images");
        Cli stats = Cli.run("dataset", "stats", "--data", out.toString(), "--json");
        assertThat(stats.out()).contains("\"images\":24").contains("\"images_missing\":0").contains("\"captions\":120");
        Cli bad = Cli.run("dataset", "synth", "--out", out.toString(), "--images", "2");
        assertThat(bad.status()).as("a refused option value is a wrong command line").isEqualTo(2);
        assertThat(bad.err()).startsWith("error: images must be between 8");
    }

    @Test
    void userErrorsAndInternalErrorsAreToldApart() {
        assertThat(Main.describe(new java.nio.file.NoSuchFileException("/data/missing.txt")))
                .isEqualTo("no such file: /data/missing.txt");
        assertThat(Main.describe(new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/root/x"))))
                .isEqualTo("permission denied: /root/x");
        assertThat(Main.describe(new dev.captioner.util.CaptionerException("a.txt:3: malformed line\nmore")))
                .isEqualTo("a.txt:3: malformed line");
        // An IllegalArgumentException that escapes to here is a bug, not the user's input.
        assertThat(Main.describe(new IllegalArgumentException("index -1")))
                .startsWith("internal error: IllegalArgumentException: index -1").contains("--debug");
    }

    @Test
    void aMissingDataPathIsNamed() {
        Cli r = Cli.run("dataset", "stats", "--data", tmp.resolve("nowhere").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("nowhere").doesNotContain("internal error");
    }
}
