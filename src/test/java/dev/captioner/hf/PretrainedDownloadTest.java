package dev.captioner.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.testutil.FileServer;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Digests;
import dev.captioner.util.Downloader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pretrained folder arrives as published: paths kept, every file checked, usable at once. */
class PretrainedDownloadTest {

    static final Path FIXTURE = PretrainedCaptionerTest.FIXTURE;

    /** The fixture as a catalog entry: its files, sizes and SHA-256. */
    static PretrainedDownload entry() throws Exception {
        List<PretrainedDownload.File> files = new ArrayList<>();
        for (String p : List.of("config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json",
                "tokenizer_config.json", "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx")) {
            files.add(new PretrainedDownload.File(p, Files.size(FIXTURE.resolve(p)), Digests.sha256(FIXTURE.resolve(p)),
                    p.startsWith("onnx/") ? "default" : null));
        }
        return new PretrainedDownload("tiny", "captioner/tiny", "main", files);
    }

    @Test
    void theVariantsFilesArriveInTheirFoldersAndCaption(@TempDir Path tmp) throws Exception {
        PretrainedDownload tiny = entry();
        try (FileServer server = FileServer.start()) {
            for (PretrainedDownload.File f : tiny.files()) {
                server.put("/hub/" + f.path(), Files.readAllBytes(FIXTURE.resolve(f.path())));
            }
            Path dir = tiny.download(null, tmp.resolve("tiny"), new Downloader(quiet()), server.url("/hub/"));
            assertThat(dir.resolve("onnx/decoder_model_merged.onnx")).exists();
            assertThat(PretrainedCaptioner.isPretrained(dir)).isTrue();
            try (PretrainedCaptioner c = PretrainedCaptioner.open(dir, null)) {
                assertThat(c.config().layers()).isEqualTo(2);
            }
            // A file changed after download is refused, not used.
            Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
            assertThatThrownBy(() -> tiny.download(null, dir, new Downloader(quiet()), server.url("/hub/")))
                    .isInstanceOf(CaptionerException.class).hasMessageContaining("tokenizer_config.json");
        }
    }

    @Test
    void offlineTheMessageNamesEveryAddressAndTheFolder(@TempDir Path tmp) throws Exception {
        PretrainedDownload tiny = entry();
        assertThatThrownBy(() -> tiny.download(null, tmp.resolve("t"), new Downloader(quiet(),
                new Downloader.Spec(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2), 1,
                        java.time.Duration.ZERO)), "http://127.0.0.1:9/hub/"))
                .isInstanceOf(CaptionerException.class)
                .hasMessageContaining("http://127.0.0.1:9/hub/config.json")
                .hasMessageContaining("http://127.0.0.1:9/hub/onnx/decoder_model_merged.onnx")
                .hasMessageContaining(tmp.resolve("t").toAbsolutePath().toString())
                .hasMessageNotContaining("\n");
        assertThat(PretrainedDownload.VIT_GPT2.filesOf("quantized")).extracting(PretrainedDownload.File::path)
                .contains("onnx/encoder_model_quantized.onnx", "tokenizer.json").doesNotContain("onnx/encoder_model.onnx");
    }

    @Test
    void aFolderInCaptionersHomeWhoseFilesAreNotThePublishedOnesIsRefusedBeforeAnyGraphRuns(@TempDir Path tmp)
            throws Exception {
        String previous = System.getProperty("captioner.home");
        System.setProperty("captioner.home", tmp.resolve("home").toString());
        try {
            Path planted = dev.captioner.testutil.Fixtures.copyTree(FIXTURE, PretrainedDownload.VIT_GPT2.folder());
            assertThatThrownBy(() -> PretrainedCaptioner.open(planted, null)).isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("config.json: SHA-256").hasMessageContaining("not the published file's");
            // The same files elsewhere are the user's own folder, and run.
            try (PretrainedCaptioner c = PretrainedCaptioner.open(FIXTURE, null)) {
                assertThat(c.config().layers()).isEqualTo(2);
            }
        } finally {
            if (previous == null) {
                System.clearProperty("captioner.home");
            } else {
                System.setProperty("captioner.home", previous);
            }
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
