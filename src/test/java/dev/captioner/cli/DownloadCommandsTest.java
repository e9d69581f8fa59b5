package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.Cli;
import dev.captioner.testutil.FileServer;
import dev.captioner.testutil.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dataset download}, {@code weights download|list} and {@code --data NAME} from the
 * command line, with captioner's home in a temporary folder and a loopback "mirror" that serves
 * bytes other than the published ones (so the published checksums must refuse them).
 */
class DownloadCommandsTest {

    @TempDir
    Path tmp;

    private FileServer server;
    private String previousHome;

    @BeforeEach
    void start() {
        previousHome = System.getProperty("captioner.home");
        System.setProperty("captioner.home", tmp.resolve("home").toString());
        server = FileServer.start().otherwise(path -> ("not the real " + path).getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        server.close();
        if (previousHome == null) {
            System.clearProperty("captioner.home");
        } else {
            System.setProperty("captioner.home", previousHome);
        }
    }

    private String mirror() {
        return server.url("/mirror/");
    }

    @Test
    void aMirrorServingOtherBytesIsRefusedByThePublishedChecksum() {
        Cli r = Cli.run("dataset", "download", "flickr8k", "--mirror", mirror());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("error: cannot download Flickr8k_Dataset.zip")
                .contains("the downloaded file has MD5").contains("expected f18a1e2920de5bd84dae7cf08ec78978")
                .contains("deleted it");
        Path dir = tmp.resolve("home/datasets/flickr8k");
        assertThat(dir.resolve("Flickr8k_Dataset.zip")).doesNotExist();
        assertThat(dir.resolve("Flickr8k_Dataset.zip.part")).doesNotExist();

        Cli p = Cli.run("weights", "download", "vit-gpt2-image-captioning", "--mirror", mirror());
        assertThat(p.status()).isEqualTo(1);
        assertThat(p.err()).contains("config.json").contains("f65c81039a672962d686f71ee0242f0c89dc020a0e3f193a989a696bf3f9515e");
        assertThat(tmp.resolve("home/models/vit-gpt2-image-captioning/config.json")).doesNotExist();

        Cli w = Cli.run("weights", "download", "vgg16", "--mirror", mirror());
        assertThat(w.status()).isEqualTo(1);
        assertThat(w.err()).contains("expected 64373286793e3c8b2b4e3219cbf3544b");
        assertThat(tmp.resolve("home/weights/vgg16_weights_tf_dim_ordering_tf_kernels.h5")).doesNotExist();
    }

    @Test
    void unknownNamesAreAWrongCommandLineAndFlickr30kExplainsItself() {
        assertThat(Cli.run("dataset", "download", "imagenet").status()).isEqualTo(2);
        assertThat(Cli.run("weights", "download", "resnet").status()).isEqualTo(2);
        Cli f30k = Cli.run("dataset", "download", "flickr30k");
        assertThat(f30k.status()).isEqualTo(1);
        assertThat(f30k.err()).contains("request form").contains(tmp.resolve("home/datasets/flickr30k").toString());
        Cli coco = Cli.run("dataset", "download", "coco2014", "--mirror", mirror());
        assertThat(coco.status()).isEqualTo(1);
        assertThat(coco.err()).contains("19.0 GB").contains("--yes");
    }

    @Test
    void aKnownNameAsDataFindsTheDownloadedDatasetOrSaysHowToGetIt() throws Exception {
        Cli missing = Cli.run("dataset", "stats", "--data", "flickr8k");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("run 'captioner dataset download flickr8k' first");
        // The two official zips in place, as the download leaves them.
        Path dir = tmp.resolve("home/datasets/flickr8k");
        Fixtures.zip(dir.resolve("Flickr8k_Dataset.zip"), Map.of("Flicker8k_Dataset/x.jpg", "jpeg-x"));
        Fixtures.zip(dir.resolve("Flickr8k_text.zip"), Map.of("Flickr8k.token.txt", "x.jpg#0\tA cat .\n",
                "Flickr_8k.trainImages.txt", "x.jpg\n", "Flickr_8k.devImages.txt", "", "Flickr_8k.testImages.txt", ""));
        Cli stats = Cli.run("dataset", "stats", "--data", "flickr8k", "--json");
        assertThat(stats.status()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("\"images\":1").contains("\"images_missing\":0");
        // Downloading again checks the archives in place against the published checksums: these
        // stand-ins are not the real zips, and are named as such.
        Cli again = Cli.run("dataset", "download", "flickr8k");
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("Flickr8k_Dataset.zip: MD5").contains("delete it");
        // A folder of that name in the working directory would win: --data is a path first.
    }

    @Test
    void weightsListSaysWhatIsCachedAndWhetherItChecksOut() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("home/weights"));
        Files.writeString(cache.resolve("mobilenet_2_5_224_tf_no_top.h5"), "not the real file");
        Cli r = Cli.run("weights", "list");
        assertThat(r.status()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("vgg16 "))).singleElement().asString().contains(" no ");
        assertThat(r.out().lines().filter(l -> l.startsWith("mobilenet-0.25 "))).singleElement().asString()
                .contains(" yes ").contains("MISMATCH (known SHA-256)");
        assertThat(r.out()).contains("cache: " + cache.toAbsolutePath());
    }
}
