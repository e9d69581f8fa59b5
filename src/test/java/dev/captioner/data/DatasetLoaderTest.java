package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

    @TempDir
    Path tmp;

    private static Dataset load(Path p) {
        return DatasetLoader.load(p, LoadSpec.defaults());
    }

    @Test
    void readsOfficialFlickr8kWithSplitsAndThePhantomImage() throws Exception {
        try (Dataset d = load(Fixtures.flickr8k(tmp))) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K);
            assertThat(d.images()).extracting(ImageRecord::name)
                    .containsExactly("a.jpg", "b.jpg", "c.jpg", "2258277193_586949ec62.jpg.1");
            assertThat(d.image("a.jpg").orElseThrow().captions())
                    .containsExactly("A dog runs .", "A brown dog is running on the grass .");
            assertThat(d.image("b.jpg").orElseThrow().split()).isEqualTo(Split.DEV);
            ImageRecord phantom = d.image("2258277193_586949ec62.jpg.1").orElseThrow();
            assertThat(phantom.present()).isFalse();
            assertThat(phantom.split()).isNull();
            assertThat(d.images(Split.TRAIN)).extracting(ImageRecord::name).containsExactly("a.jpg");
            assertThat(d.captionLines()).isEqualTo(7);
            try (InputStream in = d.open(d.image("c.jpg").orElseThrow())) {
                assertThat(in.readAllBytes()).hasSize(3);
            }
        }
    }

    @Test
    void acceptsTheCorrectlySpelledImageFolder() throws Exception {
        Fixtures.flickr8k(tmp);
        Files.move(tmp.resolve("Flicker8k_Dataset"), tmp.resolve("Flickr8k_Dataset"));
        try (Dataset d = load(tmp)) {
            assertThat(d.image("a.jpg").orElseThrow().present()).isTrue();
            assertThat(d.image("a.jpg").orElseThrow().path()).isEqualTo("Flickr8k_Dataset/a.jpg");
        }
    }

    private Path flickr8kZips() throws Exception {
        Path dl = tmp.resolve("downloads");
        // The official text zip keeps its files at the root; the image zip nests a folder and
        // carries macOS resource forks.
        Fixtures.zip(dl.resolve("Flickr8k_text.zip"), Map.of(
                "Flickr8k.token.txt", "x.jpg#0\tA cat .\ny.jpg#0\tA cow .\n",
                "Flickr_8k.trainImages.txt", "x.jpg\n",
                "Flickr_8k.devImages.txt", "",
                "Flickr_8k.testImages.txt", "y.jpg\n"));
        Fixtures.zip(dl.resolve("Flickr8k_Dataset.zip"), Map.of(
                "Flicker8k_Dataset/x.jpg", "jpeg-x",
                "__MACOSX/Flicker8k_Dataset/._x.jpg", "fork"));
        return dl;
    }

    @Test
    void readsTheTwoDownloadedZipsInPlace() throws Exception {
        Path dl = flickr8kZips();
        for (Path p : new Path[] {dl, dl.resolve("Flickr8k_text.zip"), dl.resolve("Flickr8k_Dataset.zip")}) {
            try (Dataset d = load(p)) {
                assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K);
                ImageRecord x = d.image("x.jpg").orElseThrow();
                assertThat(x.present()).isTrue();
                assertThat(x.split()).isEqualTo(Split.TRAIN);
                assertThat(d.image("y.jpg").orElseThrow().present()).isFalse();
                try (InputStream in = d.open(x)) {
                    assertThat(new String(in.readAllBytes())).isEqualTo("jpeg-x");
                }
                assertThat(d.describe(x)).contains("Flickr8k_Dataset.zip!Flicker8k_Dataset/x.jpg");
            }
        }
        assertThat(dl).isDirectoryNotContaining("glob:**/Flicker8k_Dataset");
    }

    @Test
    void readsAZipThatWrapsEverythingInOneFolder() throws Exception {
        Path zip = Fixtures.zip(tmp.resolve("archive.zip"), Map.of(
                "flickr8k/captions.txt", "image,caption\nq.jpg,\"A dog, a cat .\"\n",
                "flickr8k/Images/q.jpg", "jpeg"));
        try (Dataset d = load(zip)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K_KAGGLE);
            assertThat(d.image("q.jpg").orElseThrow().captions()).containsExactly("A dog, a cat .");
            assertThat(d.image("q.jpg").orElseThrow().present()).isTrue();
        }
    }

    @Test
    void kaggleCsvKeepsQuotedCommasAndSplitsBySeed() throws Exception {
        StringBuilder csv = new StringBuilder("image,caption\n");
        for (int i = 0; i < 16; i++) {
            csv.append("img").append(i).append(".jpg,\"A dog, running \"\"fast\"\" .\"\n");
        }
        Fixtures.write(tmp.resolve("captions.txt"), csv.toString());
        Fixtures.images(tmp.resolve("Images"), "img0.jpg");
        Map<String, Split> first = new LinkedHashMap<>();
        try (Dataset d = load(tmp)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K_KAGGLE);
            assertThat(d.image("img3.jpg").orElseThrow().captions()).containsExactly("A dog, running \"fast\" .");
            assertThat(d.images(Split.TRAIN)).hasSize(12);
            assertThat(d.images(Split.DEV)).hasSize(2);
            assertThat(d.images(Split.TEST)).hasSize(2);
            d.images().forEach(r -> first.put(r.name(), r.split()));
        }
        try (Dataset same = DatasetLoader.load(tmp, LoadSpec.defaults().withSeed(LoadSpec.DEFAULT_SEED));
                Dataset other = DatasetLoader.load(tmp, LoadSpec.defaults().withSeed(7))) {
            same.images().forEach(r -> assertThat(r.split()).isEqualTo(first.get(r.name())));
            assertThat(other.images().stream().filter(r -> r.split() != first.get(r.name()))).isNotEmpty();
        }
    }

    @Test
    void kaggleWithOfficialSplitLists() throws Exception {
        Fixtures.write(tmp.resolve("data/captions.txt"), "image,caption\na.jpg,One .\nb.jpg,Two .\nc.jpg,Three .\n");
        Fixtures.write(tmp.resolve("lists/Flickr_8k.trainImages.txt"), "b.jpg\n");
        Fixtures.write(tmp.resolve("lists/Flickr_8k.devImages.txt"), "c.jpg\n");
        Fixtures.write(tmp.resolve("lists/Flickr_8k.testImages.txt"), "a.jpg\n");
        try (Dataset d = DatasetLoader.load(tmp.resolve("data"), LoadSpec.defaults().withSplitsDir(tmp.resolve("lists")))) {
            assertThat(d.image("a.jpg").orElseThrow().split()).isEqualTo(Split.TEST);
            assertThat(d.image("b.jpg").orElseThrow().split()).isEqualTo(Split.TRAIN);
            assertThat(d.image("c.jpg").orElseThrow().split()).isEqualTo(Split.DEV);
        }
    }

    @Test
    void kaggleMalformedLineIsNamedByItsLineEvenAfterAMultiLineCaption() throws Exception {
        Fixtures.write(tmp.resolve("captions.txt"),
                "image,caption\na.jpg,\"A caption\nover two lines .\"\nb.jpg,fine\nc.jpg,unquoted, comma\nd.jpg,ok\n");
        assertThatThrownBy(() -> load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("captions.txt:5:").hasMessageContaining("expected 2 fields");
        try (Dataset d = DatasetLoader.load(tmp, LoadSpec.defaults().withLenient(true))) {
            assertThat(d.skippedLines()).isEqualTo(1);
            assertThat(d.images()).extracting(ImageRecord::name).containsExactly("a.jpg", "b.jpg", "d.jpg");
        }
    }

    @Test
    void flickr30kTokenFileAndKaggleResultsCsv() throws Exception {
        Path token = tmp.resolve("token");
        Fixtures.write(token.resolve("results_20130124.token"), "1.jpg#0\tTwo men .\n1.jpg#1\tMen .\n2.jpg#0\tA dog .\n");
        Fixtures.images(token.resolve("flickr30k_images"), "1.jpg");
        try (Dataset d = load(token)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR30K);
            assertThat(d.image("1.jpg").orElseThrow().captions()).containsExactly("Two men .", "Men .");
            assertThat(d.image("1.jpg").orElseThrow().present()).isTrue();
        }
        Path csv = tmp.resolve("csv");
        Fixtures.write(csv.resolve("flickr30k_images/results.csv"),
                "image_name| comment_number| comment\n1.jpg| 0| Two men , talking .\n"
                        + "2.jpg| 4 A dog runs across the grass .\n1.jpg| 1| Men .\n");
        Fixtures.images(csv.resolve("flickr30k_images/flickr30k_images"), "1.jpg");
        assertThatThrownBy(() -> load(csv)).hasMessageContaining("results.csv:3:")
                .hasMessageContaining("--lenient");
        try (Dataset d = DatasetLoader.load(csv, LoadSpec.defaults().withLenient(true))) {
            assertThat(d.image("1.jpg").orElseThrow().captions()).containsExactly("Two men , talking .", "Men .");
            assertThat(d.image("1.jpg").orElseThrow().path()).isEqualTo("flickr30k_images/flickr30k_images/1.jpg");
            assertThat(d.image("1.jpg").orElseThrow().present()).isTrue();
            assertThat(d.skippedLines()).isEqualTo(1);
        }
    }

    @Test
    void karpathyJsonWithRestvalAsTrain() throws Exception {
        Fixtures.write(tmp.resolve("dataset_flickr8k.json"), """
                {"dataset": "flickr8k", "images": [
                  {"filename": "a.jpg", "split": "train", "sentences": [{"raw": "A dog .", "tokens": ["a", "dog"]}]},
                  {"filename": "b.jpg", "split": "restval", "sentences": [{"raw": "A cat ."}, {"raw": "Cat ."}]},
                  {"filename": "c.jpg", "split": "val", "sentences": [{"raw": "A cow ."}]},
                  {"filename": "d.jpg", "split": "test", "sentences": [{"raw": "A pig ."}]}
                ]}""");
        Fixtures.images(tmp.resolve("Flicker8k_Dataset"), "a.jpg", "b.jpg");
        try (Dataset d = load(tmp)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.KARPATHY);
            assertThat(d.images(Split.TRAIN)).extracting(ImageRecord::name).containsExactly("a.jpg", "b.jpg");
            assertThat(d.images(Split.DEV)).extracting(ImageRecord::name).containsExactly("c.jpg");
            assertThat(d.images(Split.TEST)).extracting(ImageRecord::name).containsExactly("d.jpg");
            assertThat(d.image("b.jpg").orElseThrow().captions()).containsExactly("A cat .", "Cat .");
            assertThat(d.image("a.jpg").orElseThrow().path()).isEqualTo("Flicker8k_Dataset/a.jpg");
            assertThat(d.image("a.jpg").orElseThrow().present()).isTrue();
        }
        try (Dataset d = load(tmp.resolve("dataset_flickr8k.json"))) {
            assertThat(d.captionLines()).isEqualTo(5);
        }
    }

    @Test
    void karpathyMissingFieldIsNamed() throws Exception {
        Fixtures.write(tmp.resolve("dataset_coco.json"),
                "{\"images\": [{\"filename\": \"a.jpg\", \"split\": \"train\", \"sentences\": [{\"raw\": \"x y\"}]},"
                        + " {\"split\": \"test\", \"sentences\": []}]}");
        assertThatThrownBy(() -> load(tmp)).hasMessageContaining("dataset_coco.json: images[1].filename");
        Fixtures.write(tmp.resolve("dataset_coco.json"), "{\"images\": [ {\"filename\": ");
        assertThatThrownBy(() -> load(tmp)).hasMessageMatching(".*dataset_coco.json:1:\\d+: invalid JSON.*");
    }

    @Test
    void cocoAnnotationsTrainAndValHalves() throws Exception {
        Fixtures.write(tmp.resolve("annotations/captions_train2014.json"), """
                {"images": [{"id": 1, "file_name": "COCO_train2014_1.jpg"}, {"id": 2, "file_name": "COCO_train2014_2.jpg"}],
                 "annotations": [{"id": 10, "image_id": 1, "caption": "A bus ."}, {"id": 11, "image_id": 2, "caption": "A car ."},
                                 {"id": 12, "image_id": 1, "caption": "Red bus ."}]}""");
        StringBuilder val = new StringBuilder("{\"images\": [");
        StringBuilder anns = new StringBuilder("\"annotations\": [");
        for (int i = 0; i < 10; i++) {
            val.append(i == 0 ? "" : ",").append("{\"id\": ").append(100 + i).append(", \"file_name\": \"v").append(i).append(".jpg\"}");
            anns.append(i == 0 ? "" : ",").append("{\"image_id\": ").append(100 + i).append(", \"caption\": \"A thing .\"}");
        }
        Fixtures.write(tmp.resolve("annotations/captions_val2014.json"), val + "], " + anns + "]}");
        Fixtures.images(tmp.resolve("train2014"), "COCO_train2014_1.jpg");
        try (Dataset d = load(tmp)) {
            assertThat(d.format()).isEqualTo(DatasetFormat.COCO);
            assertThat(d.image("COCO_train2014_1.jpg").orElseThrow().captions()).containsExactly("A bus .", "Red bus .");
            assertThat(d.image("COCO_train2014_1.jpg").orElseThrow().present()).isTrue();
            assertThat(d.images(Split.TRAIN)).hasSize(2);
            assertThat(d.images(Split.DEV)).hasSize(5);
            assertThat(d.images(Split.TEST)).hasSize(5);
            assertThat(d.image("v0.jpg").orElseThrow().path()).isEqualTo("v0.jpg");
        }
    }

    @Test
    void formatOverrideMustMatchTheFiles() throws Exception {
        Fixtures.flickr8k(tmp);
        assertThatThrownBy(() -> DatasetLoader.load(tmp, LoadSpec.defaults().withFormat(DatasetFormat.COCO)))
                .hasMessageContaining("--format coco expects annotations/");
    }

    @Test
    void nothingRecognisableIsAClearError() throws Exception {
        Fixtures.write(tmp.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> load(tmp)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("no dataset found").hasMessageContaining("--format");
        assertThatThrownBy(() -> load(tmp.resolve("absent"))).hasMessageContaining("no such file or directory");
    }

    @Test
    void tokenFileLinesThatEscapeTheRootAreRefusedEvenWhenLenient() throws Exception {
        Fixtures.flickr8k(tmp);
        Path token = tmp.resolve("Flickr8k_text/Flickr8k.token.txt");
        Files.writeString(token, Files.readString(token) + "../../etc/passwd#0\tsneaky\n");
        for (boolean lenient : new boolean[] {false, true}) {
            assertThatThrownBy(() -> DatasetLoader.load(tmp, LoadSpec.defaults().withLenient(lenient)))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("Flickr8k.token.txt:8:").hasMessageContaining("escapes the dataset root");
        }
        Files.writeString(token, "/etc/passwd#0\tsneaky\n");
        assertThatThrownBy(() -> load(tmp)).hasMessageContaining("Flickr8k.token.txt:1:")
                .hasMessageContaining("outside the dataset root");
    }

    @Test
    void csvAndJsonNamesThatEscapeAreRefused() throws Exception {
        Fixtures.write(tmp.resolve("k/captions.txt"), "image,caption\nok.jpg,fine\n..\\..\\win.ini,bad\n");
        assertThatThrownBy(() -> load(tmp.resolve("k"))).hasMessageContaining("captions.txt:3:")
                .hasMessageContaining("escapes");
        Fixtures.write(tmp.resolve("j/dataset_flickr30k.json"),
                "{\"images\": [{\"filename\": \"x.jpg\", \"filepath\": \"../..\", \"split\": \"train\", \"sentences\": [{\"raw\": \"a\"}]}]}");
        assertThatThrownBy(() -> load(tmp.resolve("j"))).hasMessageContaining("images[0]").hasMessageContaining("escapes");
    }

    @Test
    void zipEntriesThatEscapeAreRefused() throws Exception {
        Path zip = Fixtures.zip(tmp.resolve("evil.zip"), Map.of("captions.txt", "image,caption\na.jpg,x\n",
                "../outside.jpg", "x"));
        assertThatThrownBy(() -> load(zip)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("evil.zip").hasMessageContaining("'../outside.jpg' refused");
    }

    @Test
    void malformedTokenLinesNameTheLineAndLenientCountsThem() throws Exception {
        Fixtures.flickr8k(tmp);
        Path token = tmp.resolve("Flickr8k_text/Flickr8k.token.txt");
        Files.writeString(token, "a.jpg#0\tA dog .\nno tab here\n\nb.jpg\tno number\na.jpg#1\t   \na.jpg#2\tok\n");
        assertThatThrownBy(() -> load(tmp)).hasMessageContaining("Flickr8k.token.txt:2: expected 'name.jpg#k'");
        try (Dataset d = DatasetLoader.load(tmp, LoadSpec.defaults().withLenient(true))) {
            assertThat(d.skippedLines()).isEqualTo(3);
            assertThat(d.captionLines()).isEqualTo(2);
        }
    }

    @Test
    void tokenFilesWhoseTabsBecameSpacesAreAccepted() throws Exception {
        Fixtures.flickr8k(tmp);
        Files.writeString(tmp.resolve("Flickr8k_text/Flickr8k.token.txt"), "a.jpg#0 A dog runs .\nb.jpg#3  Kids .\n");
        try (Dataset d = load(tmp)) {
            assertThat(d.image("a.jpg").orElseThrow().captions()).containsExactly("A dog runs .");
            assertThat(d.image("b.jpg").orElseThrow().captions()).containsExactly("Kids .");
        }
    }

    @Test
    void byteOrderMarkAndWindowsLineEndingsAreAccepted() throws Exception {
        Fixtures.flickr8k(tmp);
        Files.writeString(tmp.resolve("Flickr8k_text/Flickr8k.token.txt"), "\uFEFFa.jpg#0\tA dog .\r\nb.jpg#0\tA cat .\r\n");
        try (Dataset d = load(tmp)) {
            assertThat(d.images()).extracting(ImageRecord::name).containsExactly("a.jpg", "b.jpg");
            assertThat(d.image("a.jpg").orElseThrow().captions()).containsExactly("A dog .");
        }
    }

    private static long openFileDescriptors() throws Exception {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aBrokenSecondZipLeavesNoFileOpen() throws Exception {
        org.assertj.core.api.Assumptions.assumeThat(Files.isDirectory(Path.of("/proc/self/fd"))).isTrue();
        Path dl = flickr8kZips();
        Files.writeString(dl.resolve("Flickr8k_Dataset.zip"), "not a zip at all");
        long before = openFileDescriptors();
        for (Path p : new Path[] {dl, dl.resolve("Flickr8k_text.zip")}) {
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> load(p)).isInstanceOf(CaptionerException.class)
                        .hasMessageContaining("cannot open");
            }
        }
        assertThat(openFileDescriptors()).as("the text zip opened first is closed again").isLessThan(before + 5);
    }

    @Test
    void aTextFileThatFailsOnItsFirstReadIsClosed() {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        DataSource failing = new DataSource() {
            @Override
            public boolean isFile(String path) {
                return true;
            }

            @Override
            public boolean isDirectory(String path) {
                return false;
            }

            @Override
            public java.util.Set<String> list(String dir) {
                return java.util.Set.of();
            }

            @Override
            public java.util.Set<String> listDirectories(String dir) {
                return java.util.Set.of();
            }

            @Override
            public InputStream open(String path) {
                return new InputStream() {
                    @Override
                    public int read() throws java.io.IOException {
                        throw new java.io.IOException("device gone");
                    }

                    @Override
                    public void close() {
                        closed.set(true);
                    }
                };
            }

            @Override
            public String describe(String path) {
                return "disk!" + path;
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> TextLines.reader(failing, "captions.txt")).isInstanceOf(CaptionerException.class)
                .hasMessage("disk!captions.txt: cannot read: device gone");
        assertThat(closed).isTrue();
    }
}
