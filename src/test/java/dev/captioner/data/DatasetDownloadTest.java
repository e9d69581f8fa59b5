package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.testutil.FileServer;
import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Downloader;
import dev.captioner.util.RemoteFile;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset downloads from a loopback server serving small fake archives in the official layouts. */
class DatasetDownloadTest {

    @TempDir
    Path tmp;

    private FileServer server;
    private int built;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);

    @BeforeEach
    void start() {
        server = FileServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String url(String name) {
        return server.url("/files/" + name);
    }

    private byte[] zip(Map<String, String> entries) throws Exception {
        Path z = Fixtures.zip(tmp.resolve("build-" + built++ + ".zip"), entries);
        return Files.readAllBytes(z);
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private DatasetDownload download() {
        return new DatasetDownload(new Downloader(log, new Downloader.Spec(Duration.ofSeconds(2),
                Duration.ofSeconds(5), 2, Duration.ofMillis(10))), log);
    }

    /** A two-image Flickr8k in the exact layout of the two official zips, served with their MD5s. */
    private DatasetCatalog.Entry fakeFlickr8k() throws Exception {
        byte[] images = zip(Map.of("Flicker8k_Dataset/x.jpg", "jpeg-x", "Flicker8k_Dataset/y.jpg", "jpeg-y",
                "__MACOSX/Flicker8k_Dataset/._x.jpg", "fork"));
        byte[] text = zip(Map.of("Flickr8k.token.txt", "x.jpg#0\tA cat .\ny.jpg#0\tA cow .\n",
                "Flickr_8k.trainImages.txt", "x.jpg\n", "Flickr_8k.devImages.txt", "", "Flickr_8k.testImages.txt", "y.jpg\n",
                "__MACOSX/._Flickr8k.token.txt", "fork"));
        server.put("/files/Flickr8k_Dataset.zip", images);
        server.put("/files/Flickr8k_text.zip", text);
        return new DatasetCatalog.Entry("flickr8k", "fake Flickr8k", List.of(
                new RemoteFile("Flickr8k_Dataset.zip", List.of(url("Flickr8k_Dataset.zip")), md5(images), null, -1),
                new RemoteFile("Flickr8k_text.zip", List.of(url("Flickr8k_text.zip")), md5(text), null, -1)),
                List.of(), null);
    }

    @Test
    void flickr8kArrivesVerifiedAndIsReadInPlace() throws Exception {
        Path dir = tmp.resolve("home/datasets/flickr8k");
        DatasetCatalog.Entry entry = fakeFlickr8k();
        assertThat(DatasetDownload.isComplete(entry, dir)).isFalse();
        download().run(entry, dir, false);
        assertThat(DatasetDownload.isComplete(entry, dir)).isTrue();
        try (Dataset d = DatasetLoader.load(dir, LoadSpec.defaults())) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K);
            assertThat(d.images(Split.TRAIN)).extracting(ImageRecord::name).containsExactly("x.jpg");
            try (InputStream in = d.open(d.image("y.jpg").orElseThrow())) {
                assertThat(new String(in.readAllBytes())).isEqualTo("jpeg-y");
            }
        }
        assertThat(dir).isDirectoryNotContaining("glob:**/Flicker8k_Dataset");
        // Run again: nothing is fetched.
        int before = server.requests();
        download().run(entry, dir, false);
        assertThat(server.requests()).isEqualTo(before);
    }

    @Test
    void offlineIsOneErrorNamingEveryAddressAndTheFolder() throws Exception {
        DatasetCatalog.Entry entry = fakeFlickr8k();
        server.close();
        Path dir = tmp.resolve("flickr8k");
        assertThatThrownBy(() -> download().run(entry, dir, false)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("offline, or blocked")
                .hasMessageContaining(url("Flickr8k_Dataset.zip")).hasMessageContaining(url("Flickr8k_text.zip"))
                .hasMessageContaining("put them in " + dir.toAbsolutePath())
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        assertThat(DatasetDownload.isComplete(entry, dir)).isFalse();
        assertThat(dir.resolve("Flickr8k_Dataset.zip")).doesNotExist();
    }

    @Test
    void karpathyIsUnpackedAndItsChecksumRecordedOnFirstDownload() throws Exception {
        byte[] zip = zip(Map.of("dataset_flickr8k.json", "{\"images\": []}", "dataset_coco.json", "{}",
                "dataset_flickr30k.json", "{}"));
        server.put("/files/caption_datasets.zip", zip);
        DatasetCatalog.Entry entry = new DatasetCatalog.Entry("karpathy", "fake", List.of(new RemoteFile(
                "caption_datasets.zip", List.of(url("caption_datasets.zip")), null, null, -1)),
                DatasetCatalog.KARPATHY.unpack(), null);
        Path dir = tmp.resolve("karpathy");
        download().run(entry, dir, false);
        assertThat(dir.resolve("dataset_flickr8k.json")).hasContent("{\"images\": []}");
        assertThat(Downloader.recordOf(dir.resolve("caption_datasets.zip"))).exists();
        assertThat(logBytes.toString()).contains("no checksum is published for caption_datasets.zip");
        assertThat(DatasetDownload.isComplete(entry, dir)).isTrue();
    }

    @Test
    void anEntryThatUnpacksBeyondTheLimitIsRefusedAndLeavesNothing() throws Exception {
        byte[] zip = zip(Map.of("dataset_flickr8k.json", "x".repeat(5000), "dataset_coco.json", "{}",
                "dataset_flickr30k.json", "{}"));
        server.put("/files/caption_datasets.zip", zip);
        DatasetCatalog.Entry entry = new DatasetCatalog.Entry("karpathy", "fake", List.of(new RemoteFile(
                "caption_datasets.zip", List.of(url("caption_datasets.zip")), null, null, -1)),
                DatasetCatalog.KARPATHY.unpack(), null);
        Path dir = tmp.resolve("karpathy-big");
        DatasetDownload small = new DatasetDownload(new Downloader(log, Downloader.Spec.defaults()), log, 1000);
        assertThatThrownBy(() -> small.run(entry, dir, false)).hasMessageContaining("unpacks to more than 1000 bytes");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("dataset_flickr8k.json")
                    || n.startsWith(".dataset_flickr8k.json"));
        }
    }

    @Test
    void aLargeDownloadWaitsForConfirmationBeforeFetchingAnything() {
        DatasetCatalog.Entry coco = DatasetCatalog.COCO2014.fromMirror(server.url("/"));
        assertThatThrownBy(() -> download().run(coco, tmp.resolve("coco"), false)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("coco2014 is 19.0 GB in 3 archives")
                .hasMessageContaining("train2014.zip 12.6 GB").hasMessageContaining("--yes");
        assertThat(server.requests()).isZero();
    }

    @Test
    void flickr30kExplainsWhereToGetItAndHowToLayItOut() {
        Path dir = tmp.resolve("f30k");
        assertThatThrownBy(() -> download().run(DatasetCatalog.FLICKR30K, dir, true))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("request form")
                .hasMessageContaining("flickr30k_images/").hasMessageContaining(dir.toAbsolutePath().toString());
    }

    @Test
    void cocoArchivesAreReadInPlace() throws Exception {
        Path dir = tmp.resolve("coco2014");
        String train = "{\"images\":[{\"id\":1,\"file_name\":\"COCO_train2014_1.jpg\"}],"
                + "\"annotations\":[{\"image_id\":1,\"caption\":\"A dog runs.\"}]}";
        String val = "{\"images\":[{\"id\":2,\"file_name\":\"COCO_val2014_2.jpg\"},{\"id\":3,\"file_name\":\"COCO_val2014_3.jpg\"}],"
                + "\"annotations\":[{\"image_id\":2,\"caption\":\"A cat.\"},{\"image_id\":3,\"caption\":\"A cow.\"}]}";
        Fixtures.zip(dir.resolve("annotations_trainval2014.zip"), Map.of("annotations/captions_train2014.json", train,
                "annotations/captions_val2014.json", val));
        Fixtures.zip(dir.resolve("train2014.zip"), Map.of("train2014/COCO_train2014_1.jpg", "jpeg-1"));
        Fixtures.zip(dir.resolve("val2014.zip"), Map.of("val2014/COCO_val2014_2.jpg", "jpeg-2",
                "val2014/COCO_val2014_3.jpg", "jpeg-3"));
        try (Dataset d = DatasetLoader.load(dir, LoadSpec.defaults())) {
            assertThat(d.format()).isEqualTo(DatasetFormat.COCO);
            assertThat(d.images()).hasSize(3).allMatch(ImageRecord::present);
            assertThat(d.images(Split.TRAIN)).extracting(ImageRecord::name).containsExactly("COCO_train2014_1.jpg");
        }
    }
}
