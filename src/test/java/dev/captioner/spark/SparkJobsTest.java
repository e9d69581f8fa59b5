package dev.captioner.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.Captioner;
import dev.captioner.testutil.Fixtures;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.decode.Caption;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.testutil.Tolerance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark application on a local[2] session: captions, features and import, bad files as rows. */
class SparkJobsTest {

    @TempDir
    static Path shared;

    static TinyPipeline p;
    static SparkSession spark;
    static Path images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        p = TinyPipeline.build(shared);
        spark = SparkSession.builder().master("local[2]").appName("captioner-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        // Twelve good images in two folders, and three bad files.
        images = shared.resolve("images");
        Files.createDirectories(images.resolve("more"));
        List<Path> all;
        try (Stream<Path> s = Files.list(p.data().resolve("Flicker8k_Dataset"))) {
            all = s.sorted().limit(12).toList();
        }
        for (int i = 0; i < all.size(); i++) {
            Files.copy(all.get(i), (i < 6 ? images : images.resolve("more")).resolve(all.get(i).getFileName()));
        }
        Files.write(images.resolve("empty.jpg"), new byte[0]);
        Files.writeString(images.resolve("notes.jpg"), "not pixels at all");
        byte[] whole = Files.readAllBytes(all.get(0));
        Files.write(images.resolve("more/truncated.jpg"), java.util.Arrays.copyOf(whole, whole.length / 3));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static int run(StringWriter out, StringWriter err, String... args) {
        return SparkCaptioner.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void filesOverTheByteLimitAreRowsWithTheirLengthAndAreNeverRead() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sizes"));
        Files.write(dir.resolve("small.jpg"), new byte[100]);
        Files.write(dir.resolve("big.jpg"), new byte[5000]);
        org.apache.spark.sql.Dataset<Row> files = ImageFiles.read(spark, dir.toString(), null, 0, 1000);
        // The limit is a filter the file source applies before reading a file.
        String plan = files.queryExecution().executedPlan().toString();
        assertThat(plan).contains("PushedFilters").containsPattern("LessThanOrEqual\\(length,1000\\)");
        Map<String, Row> byName = new HashMap<>();
        for (Row r : files.collectAsList()) {
            byName.put(ImageFiles.name(r.getString(0)), r);
        }
        assertThat(byName).containsOnlyKeys("small.jpg", "big.jpg");
        assertThat(ImageFiles.tooLarge(byName.get("small.jpg"), 1000)).isNull();
        assertThat((byte[]) byName.get("small.jpg").getAs(1)).hasSize(100);
        assertThat(byName.get("big.jpg").isNullAt(1)).isTrue();
        assertThat(ImageFiles.tooLarge(byName.get("big.jpg"), 1000)).endsWith("big.jpg: file of 5000 bytes, larger than "
                + "the limit of 1000 bytes");
    }

    @Test
    void aModelGivenAsAUriIsShippedToTheExecutors() throws Exception {
        spark.sparkContext().hadoopConfiguration().set("fs." + ShipTestFileSystem.SCHEME + ".impl",
                ShipTestFileSystem.class.getName());
        Path model = tmp.resolve("uri-model");
        copyTree(p.model(), model);
        Path out = tmp.resolve("captions-uri");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int status = run(o, e, "caption", "--images", images.toString(), "--model",
                ShipTestFileSystem.SCHEME + "://" + model, "--out", out.toString(), "--partitions", "2");
        assertThat(status).as(e.toString()).isZero();
        assertThat(o.toString()).contains("captioned 15 files (3 with errors");
        // The executors read Spark's fetched copy, not the original.
        Path fetched = Path.of(org.apache.spark.SparkFiles.getRootDirectory()).resolve("uri-model");
        assertThat(fetched.resolve("config.json")).isRegularFile();
        assertThat(fetched).isNotEqualTo(model);
        Map<String, String> captions = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).where("error IS NULL").collectAsList()) {
            captions.put(ImageFiles.name(r.getAs("path")), r.getAs("caption"));
        }
        try (Captioner c = Captioner.load(p.model())) {
            for (Map.Entry<String, String> entry : captions.entrySet()) {
                Path f = Files.exists(images.resolve(entry.getKey())) ? images.resolve(entry.getKey())
                        : images.resolve("more").resolve(entry.getKey());
                assertThat(entry.getValue()).as(entry.getKey()).isEqualTo(c.caption(f).text());
            }
        }
        assertThat(captions).hasSize(12);
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    @Test
    void captionsEqualThePlainCaptionersAndBadFilesAreRows() throws Exception {
        Path out = tmp.resolve("captions");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int loadsBefore = ExecutorModels.loads();
        int status = run(o, e, "caption", "--images", images.toString(), "--model", p.model().toString(), "--out",
                out.toString(), "--beam", "2", "--batch", "4", "--partitions", "3");
        assertThat(status).as(e.toString()).isZero();
        assertThat(o.toString()).contains("captioned 15 files (3 with errors");
        // One model for the whole executor JVM (local mode: one), however many tasks ran.
        assertThat(ExecutorModels.loads() - loadsBefore).isLessThanOrEqualTo(1);

        Map<String, Row> byName = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
            byName.put(ImageFiles.name(r.getAs("path")), r);
        }
        assertThat(byName).hasSize(15);
        assertThat((String) byName.get("empty.jpg").getAs("error")).contains("empty.jpg");
        assertThat((String) byName.get("notes.jpg").getAs("error")).contains("notes.jpg").contains("not an image");
        assertThat((String) byName.get("truncated.jpg").getAs("error")).contains("truncated.jpg");
        assertThat(byName.get("notes.jpg").<Object>getAs("caption")).isNull();

        // The same captions as `captioner caption` (the plain Captioner, beam 2) on the same files.
        Captioner.Spec options = Captioner.Spec.defaults().withBeam(2);
        try (Captioner c = Captioner.load(p.model(), options); Stream<Path> files = Files.walk(images)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().startsWith("shapes"))
                    .toList()) {
                Caption expected = c.caption(f);
                Row row = byName.get(f.getFileName().toString());
                assertThat((String) row.getAs("caption")).as(f.toString()).isEqualTo(expected.text());
                assertThat(row.<Object>getAs("error")).isNull();
                assertThat(row.getList(row.fieldIndex("alternatives"))).hasSize(2);
            }
        }

        // An existing output is refused unless --overwrite; JSON lines on request.
        StringWriter again = new StringWriter();
        assertThat(run(new StringWriter(), again, "caption", "--images", images.toString(), "--model",
                p.model().toString(), "--out", out.toString())).isEqualTo(1);
        assertThat(again.toString()).startsWith("error: " + out + ": the output already exists");
        assertThat(again.toString().lines()).hasSize(1);
        StringWriter jsonErr = new StringWriter();
        assertThat(run(new StringWriter(), jsonErr, "caption", "--images", images.toString(), "--model",
                p.model().toString(), "--out", out.toString(), "--overwrite", "--format", "json", "--glob", "shapes*"))
                .as(jsonErr.toString()).isZero();
        assertThat(spark.read().json(out.toString()).count()).isEqualTo(12);
    }

    @Test
    void aPretrainedFolderCaptionsInBatchesAsTheJavaApiDoesWithTheVariantAndSearchAskedFor() throws Exception {
        // Only the quantized variant's files: the job captions only if --variant reaches the executors.
        Path folder = Fixtures.copyTree(Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny"), tmp.resolve("hf"))
                .toAbsolutePath();
        Files.move(folder.resolve("onnx/encoder_model.onnx"), folder.resolve("onnx/encoder_model_quantized.onnx"));
        Files.move(folder.resolve("onnx/decoder_model_merged.onnx"),
                folder.resolve("onnx/decoder_model_merged_quantized.onnx"));
        Files.delete(folder.resolve("onnx/decoder_model.onnx"));
        Files.delete(folder.resolve("onnx/decoder_with_past_model.onnx"));
        Path out = tmp.resolve("pretrained");
        StringWriter e = new StringWriter();
        int status = run(new StringWriter(), e, "caption", "--images", images.toString(), "--glob", "shapes*", "--model",
                folder.toString(), "--variant", "quantized", "--out", out.toString(), "--beam", "2", "--max-length", "10",
                "--block-trigrams", "--batch", "4", "--partitions", "2");
        assertThat(status).as(e.toString()).isZero();
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertThat(rows).hasSize(12);
        int cut = 0;
        int blocked = 0;
        Captioner.Spec quantized = Captioner.Spec.defaults().withVariant("quantized");
        try (Captioner c = Captioner.load(folder, quantized.withDecode(new DecodeSpec(2, 10, 0, true)));
                Captioner longer = Captioner.load(folder, quantized.withDecode(new DecodeSpec(2, 0, 0, true)));
                Captioner repeating = Captioner.load(folder, quantized.withDecode(new DecodeSpec(2, 10, 0, false)))) {
            for (Row r : rows) {
                Path f = Path.of(java.net.URI.create(r.getAs("path")));
                Caption want = c.caption(f);
                assertThat(want.tokens().length).isLessThanOrEqualTo(10);
                assertThat((String) r.getAs("caption")).as(f.toString()).isEqualTo(want.text());
                cut += want.text().equals(longer.caption(f).text()) ? 0 : 1;
                blocked += want.text().equals(repeating.caption(f).text()) ? 0 : 1;
            }
        }
        // Both settings reached the executors: without either, some of these captions would differ.
        assertThat(cut).as("captions the length limit changed").isPositive();
        assertThat(blocked).as("captions trigram blocking changed").isPositive();
        assertThat(run(new StringWriter(), new StringWriter(), "caption", "--images", "x", "--model", "y", "--out", "z",
                "--variant", "fp16")).isEqualTo(2);
    }

    @Test
    void aMissingModelIsAnErrorBeforeAnyImageIsRead() {
        StringWriter e = new StringWriter();
        int status = run(new StringWriter(), e, "caption", "--images", tmp.resolve("no-images").toString(), "--model",
                tmp.resolve("no-model").toString(), "--out", tmp.resolve("o").toString());
        assertThat(status).isEqualTo(1);
        assertThat(e.toString()).startsWith("error: " + tmp.resolve("no-model") + ": no such model on the driver");
        assertThat(run(new StringWriter(), new StringWriter(), "caption", "--images", "x", "--model", "y", "--out", "z",
                "--beam", "0")).isEqualTo(2);
    }

    @Test
    void featuresImportIntoTheStoreTrainReads() throws Exception {
        Path table = tmp.resolve("features");
        StringWriter e = new StringWriter();
        assertThat(run(new StringWriter(), e, "features", "--images", images.toString(), "--encoder", "concepts",
                "--weights", p.encoder().toString(), "--grid", "--out", table.toString(), "--partitions", "2"))
                .as(e.toString()).isZero();
        Path h5 = tmp.resolve("imported.h5");
        StringWriter o = new StringWriter();
        assertThat(run(o, e, "import", "--parquet", table.toString(), "--out", h5.toString())).as(e.toString()).isZero();
        assertThat(o.toString()).contains("imported 12 feature rows").contains("3 rows with errors left out");
        FeatureSet set = FeatureStore.read(h5);
        assertThat(set.size()).isEqualTo(12);
        assertThat(set.grid()).isNotNull();
        assertThat(set.encoder()).isEqualTo("concepts");
        // Each row equals what the encoder computes for that file on its own (within batching's float noise).
        try (var enc = dev.captioner.vision.Encoders.open("concepts", p.encoder(), dev.captioner.vision.FeatureKind.GRID);
                Stream<Path> files = Files.walk(images)) {
            Map<String, Integer> index = set.index();
            for (Path f : files.filter(x -> x.getFileName().toString().startsWith("shapes")).toList()) {
                float[] expected = enc.encode(new dev.captioner.image.ImageLoader(100_000_000L).load(f));
                float[] got = set.rows().row(index.get(f.getFileName().toString()));
                // A batch of images against one: other convolution kernels, so other summation
                // orders, through the concepts network's chains of about 3,000 terms (3 x 3
                // kernels over up to 32 channels, four layers, pooling).
                Tolerance.assertClose(got, expected, Tolerance.floatSums(3000), f.getFileName().toString());
            }
        }
    }
}
