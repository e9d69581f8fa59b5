package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test of decoding and resizing against Pillow: the fixtures and the expected pixels come
 * from src/test/resources/fixtures/make_image_fixtures.py (Debian's python3-pil, used as Keras'
 * load_img uses it).
 */
class ImageLoaderTest {

    private static final String DIR = "/fixtures/images/";

    static Stream<JsonNode> cases() throws Exception {
        try (InputStream in = ImageLoaderTest.class.getResourceAsStream(DIR + "cases.json")) {
            JsonNode all = new ObjectMapper().readTree(in);
            return java.util.stream.StreamSupport.stream(all.spliterator(), false);
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = ImageLoaderTest.class.getResourceAsStream(DIR + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesAndResizesLikeKerasLoadImg(JsonNode c) throws Exception {
        String file = c.get("file").asText();
        RgbImage decoded = ImageLoader.withDefaults().decode(resource(file), file);
        RgbImage resized = KerasResize.nearest(decoded, c.get("width").asInt(), c.get("height").asInt());
        BufferedImage expectedImage = ImageIO.read(new java.io.ByteArrayInputStream(resource(file + ".expected.png")));
        RgbImage expected = RgbImage.of(expectedImage);
        assertThat(resized.width()).isEqualTo(expected.width());
        assertThat(resized.height()).isEqualTo(expected.height());
        int mismatches = 0;
        for (int i = 0; i < expected.rgb().length; i++) {
            if (expected.rgb()[i] != resized.rgb()[i]) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("samples differing from Pillow in " + file).isZero();
    }

    @Test
    void resizeTabulatesLikePil() {
        // Pillow: Image.new("L", (3, 1)) with pixels 0, 1, 2 resized to (7, 1) with NEAREST
        // gives [0, 0, 1, 1, 1, 2, 2]; 0..9 resized to (4, 1) gives [1, 3, 6, 8].
        assertThat(KerasResize.sourceIndices(3, 7)).containsExactly(0, 0, 1, 1, 1, 2, 2);
        assertThat(KerasResize.sourceIndices(10, 4)).containsExactly(1, 3, 6, 8);
    }

    /**
     * The real photos of ../shared against Pillow, every sample: the expected digests come from
     * src/test/resources/fixtures/make_shared_photo_fixtures.py (Debian's python3-pil 9.4).
     * rocket.jpg carries an Adobe RGB ICC profile that PIL ignores and the JDK would apply.
     */
    @Test
    void sharedPhotosDecodeLikePillow() throws Exception {
        Path photos = Fixtures.SHARED.resolve("photos");
        assumeThat(Files.isDirectory(photos)).as("../shared present").isTrue();
        JsonNode expected;
        try (InputStream in = ImageLoaderTest.class.getResourceAsStream(DIR + "shared_photos_pil.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        assertThat(expected.size()).isEqualTo(8);
        java.util.Iterator<String> names = expected.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode e = expected.get(name);
            RgbImage img = ImageLoader.withDefaults().load(photos.resolve(name));
            assertThat(img.width()).as(name).isEqualTo(e.get("width").asInt());
            assertThat(img.height()).as(name).isEqualTo(e.get("height").asInt());
            byte[] first = new byte[6];
            for (int i = 0; i < 6; i++) {
                first[i] = (byte) e.get("first_pixels").get(i).asInt();
            }
            assertThat(Arrays.copyOf(img.rgb(), 6)).as(name).containsExactly(first);
            String sha = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(img.rgb()));
            assertThat(sha).as("every RGB sample of " + name).isEqualTo(e.get("sha256").asText());
        }
    }

    @Test
    void refusesImagesOverThePixelLimitFromTheHeader() throws Exception {
        BufferedImage big = new BufferedImage(2000, 1500, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(big, "png", png);
        assertThatThrownBy(() -> new ImageLoader(1_000_000).decode(png.toByteArray(), "big.png"))
                .isInstanceOf(CaptionerException.class)
                .hasMessageContaining("big.png: image is 2000x1500 (3.0 megapixels), over the limit of 1.0");
        assertThat(new ImageLoader(3_000_000).decode(png.toByteArray(), "big.png").width()).isEqualTo(2000);
    }

    @Test
    void refusesADecompressionBombWithoutRunningOutOfMemory() throws Exception {
        // A PNG header that claims 100000 x 100000 pixels (10 gigapixels) with almost no data.
        byte[] bomb = PngBomb.bytes(100_000, 100_000);
        assertThatThrownBy(() -> ImageLoader.withDefaults().decode(bomb, "bomb.png"))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("10000.0 megapixels");
    }

    @Test
    void emptyTruncatedAndNonImageFilesAreErrorsNamingTheFile(@TempDir Path tmp) throws Exception {
        Path empty = Files.write(tmp.resolve("empty.jpg"), new byte[0]);
        assertThatThrownBy(() -> ImageLoader.withDefaults().load(empty)).hasMessage(empty + ": empty file");
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "hello, I am not a picture");
        assertThatThrownBy(() -> ImageLoader.withDefaults().load(text)).hasMessageContaining("notes.jpg: not an image");
        byte[] jpeg = resource("baseline_123x77.jpg");
        Path cut = Files.write(tmp.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        assertThatThrownBy(() -> ImageLoader.withDefaults().load(cut)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("cut.jpg");
        byte[] png = resource("rgb_301x199.png");
        Path cutPng = Files.write(tmp.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageLoader.withDefaults().load(cutPng)).hasMessageContaining("cut.png");
        assertThatThrownBy(() -> ImageLoader.withDefaults().load(tmp.resolve("absent.png")))
                .hasMessageContaining("absent.png: no such file");
    }

    @Test
    @SuppressWarnings("try") // the resource is held for its side effect
    void whateverADecoderThrowsBecomesAnErrorNamingTheFile() {
        try (ThrowingDecoder plugin = new ThrowingDecoder()) {
            assertThatThrownBy(() -> ImageLoader.withDefaults().decode(ThrowingDecoder.file(), "odd.boom"))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageStartingWith("odd.boom: cannot decode BOOM: ")
                    .hasMessageContaining("Index 10 out of bounds");
        }
    }

    @Test
    void aFileOverTheByteLimitIsRefusedWithoutReadingItWhole() throws Exception {
        ImageLoader loader = new ImageLoader(1_000_000, 1000, null);
        // An endless stream, as a zip bomb inflates: only the limit plus one byte is read.
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return 0;
            }
        };
        assertThatThrownBy(() -> loader.read(endless, "bomb.zip!a.jpg")).isInstanceOf(ImageTooLargeException.class)
                .hasMessage("bomb.zip!a.jpg: file larger than the limit of 1000 bytes");
        assertThat(read.get()).isEqualTo(1001);
        assertThat(new ImageLoader(1_000_000, 100_000, null).decode(resource("rgb_37x23.png"), "small").width())
                .isEqualTo(37);
    }

    @Test
    @SuppressWarnings("try") // the resource is held for its side effect
    void aMemoryBudgetMakesLargeDecodesTakeTurnsAndRefusesWhatCanNeverFit() throws Exception {
        byte[] png = resource("rgb_37x23.png"); // 851 pixels: 10,212 bytes at 12 per pixel
        MemoryBudget budget = new MemoryBudget(12_000, java.time.Duration.ofMillis(50));
        ImageLoader loader = new ImageLoader(1_000_000, 1 << 20, budget);
        try (MemoryBudget.Lease busy = budget.acquire(6_000, "another image")) {
            assertThatThrownBy(() -> loader.decode(png, "a.png")).isInstanceOf(DecoderBusyException.class)
                    .hasMessageContaining("a.png: too many large images are being handled at once");
        }
        assertThat(loader.decode(png, "a.png").width()).isEqualTo(37);
        assertThat(budget.inUse()).as("the lease is returned after decoding").isZero();
        ImageLoader tight = new ImageLoader(1_000_000, 1 << 20, new MemoryBudget(10_000, null));
        assertThatThrownBy(() -> tight.decode(png, "a.png")).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("more than this process may hold for images");
    }

    @Test
    void theBudgetCountsTheDecodedCopyUntilItsUseIsOver() throws Exception {
        byte[] png = resource("rgb_37x23.png"); // 851 pixels
        MemoryBudget budget = new MemoryBudget(12_000, java.time.Duration.ofMillis(50));
        ImageLoader loader = new ImageLoader(1_000_000, 1 << 20, budget);
        long during = loader.decode(png, "a.png", image -> budget.inUse());
        assertThat(during).as("bytes lent while the RGB copy is in use").isEqualTo(851L * MemoryBudget.BYTES_PER_PIXEL);
        assertThat(budget.inUse()).isZero();
        assertThatThrownBy(() -> loader.decode(png, "a.png", image -> {
            throw new IllegalStateException("the caller failed");
        })).hasMessage("the caller failed");
        assertThat(budget.inUse()).as("returned when the use fails too").isZero();
    }

    @Test
    void onlyTheFiveDocumentedFormatsAreDecoded() throws Exception {
        // The JDK reads TIFF and WBMP; captioner documents JPEG, PNG, GIF, BMP and WebP only.
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (String format : java.util.List.of("tiff", "wbmp")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BufferedImage source = format.equals("wbmp") ? new BufferedImage(8, 6, BufferedImage.TYPE_BYTE_BINARY) : img;
            assertThat(ImageIO.write(source, format, out)).as("the JDK writes " + format).isTrue();
            assertThat(ImageIO.read(new java.io.ByteArrayInputStream(out.toByteArray()))).as("and reads it").isNotNull();
            assertThatThrownBy(() -> ImageLoader.withDefaults().decode(out.toByteArray(), "x." + format))
                    .isInstanceOf(CaptionerException.class).hasMessageContaining("not an image");
        }
    }

    @Test
    void aDecodeOverItsTimeLimitIsStopped() throws Exception {
        // A 2,000 x 2,000 PNG of noise takes far longer than 1 ms to decode.
        BufferedImage img = new BufferedImage(2000, 2000, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < 2000; y++) {
            for (int x = 0; x < 2000; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        ImageLoader quick = new ImageLoader(100_000_000, 1L << 30, null, java.time.Duration.ofMillis(1));
        long start = System.nanoTime();
        assertThatThrownBy(() -> quick.decode(out.toByteArray(), "slow.png")).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("slow.png: took longer than the limit of 0.0 s to decode");
        assertThat((System.nanoTime() - start) / 1e6).as("stopped early, not after a whole decode").isLessThan(2000);
        ImageLoader patient = new ImageLoader(100_000_000, 1L << 30, null, java.time.Duration.ofSeconds(60));
        assertThat(patient.decode(out.toByteArray(), "slow.png").width()).isEqualTo(2000);
    }

    @Test
    void preprocessingMatchesKerasFormulas() {
        RgbImage px = new RgbImage(1, 1, new byte[] {(byte) 200, 100, 0});
        assertThat(Preprocessing.CAFFE.toChw(px)).containsExactly(0f - 103.939f, 100f - 116.779f, 200f - 123.68f);
        assertThat(Preprocessing.TF.toChw(px)).containsExactly(200 / 127.5f - 1, 100 / 127.5f - 1, -1f);
        assertThat(Preprocessing.UNIT.toChw(px)).containsExactly(200 / 255f, 100 / 255f, 0f);
    }
}
