package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EXIF orientation: the tag read from a JPEG's APP1 segment (both byte orders), the eight
 * transforms as Pillow's {@code ImageOps.exif_transpose} defines them (2 mirror, 3 half turn, 4
 * flip, 5 transpose, 6 = {@code ROTATE_270}, 7 transverse, 8 = {@code ROTATE_90}), and a phone-style
 * photo stored on its side decoding upright on both the exact and the fast path.
 */
class ExifOrientationTest {

    /** A JPEG with an APP1 Exif segment carrying {@code orientation}, inserted after the SOI marker. */
    static byte[] withOrientation(byte[] jpeg, int orientation, ByteOrder order) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4).order(order);
        tiff.put((byte) (order == ByteOrder.BIG_ENDIAN ? 'M' : 'I')).put((byte) (order == ByteOrder.BIG_ENDIAN ? 'M' : 'I'));
        tiff.putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] t = tiff.array();
        int length = 2 + 6 + t.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        out.writeBytes(t);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static byte[] png(RgbImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image.toBufferedImage(), "png", out);
        return out.toByteArray();
    }

    static byte[] jpeg(RgbImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image.toBufferedImage(), "jpg", out);
        return out.toByteArray();
    }

    private static RgbImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void readsTheTagInEitherByteOrder(int orientation) throws Exception {
        byte[] jpeg = jpeg(random(8, 8, 1));
        assertThat(ExifOrientation.of(withOrientation(jpeg, orientation, ByteOrder.BIG_ENDIAN))).isEqualTo(orientation);
        assertThat(ExifOrientation.of(withOrientation(jpeg, orientation, ByteOrder.LITTLE_ENDIAN))).isEqualTo(orientation);
    }

    @Test
    void noTagOrNotAJpegIsUpright() throws Exception {
        assertThat(ExifOrientation.of(jpeg(random(8, 8, 1)))).isEqualTo(ExifOrientation.NORMAL);
        assertThat(ExifOrientation.of(png(random(8, 8, 1)))).isEqualTo(ExifOrientation.NORMAL);
        assertThat(ExifOrientation.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0, 1}))
                .isEqualTo(ExifOrientation.NORMAL);
    }

    @Test
    void theEightTransformsAreThoseOfPillow() {
        // 3 wide, 2 high, pixel value = its index: 0 1 2 / 3 4 5.
        byte[] rgb = new byte[18];
        for (int i = 0; i < 6; i++) {
            rgb[i * 3] = (byte) i;
        }
        RgbImage image = new RgbImage(3, 2, rgb);
        // Pillow: Image.transpose(...) of that 3×2 image, read row by row.
        assertThat(reds(ExifOrientation.apply(image, 1))).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(reds(ExifOrientation.apply(image, 2))).containsExactly(2, 1, 0, 5, 4, 3);
        assertThat(reds(ExifOrientation.apply(image, 3))).containsExactly(5, 4, 3, 2, 1, 0);
        assertThat(reds(ExifOrientation.apply(image, 4))).containsExactly(3, 4, 5, 0, 1, 2);
        assertThat(reds(ExifOrientation.apply(image, 5))).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(reds(ExifOrientation.apply(image, 6))).containsExactly(3, 0, 4, 1, 5, 2);
        assertThat(reds(ExifOrientation.apply(image, 7))).containsExactly(5, 2, 4, 1, 3, 0);
        assertThat(reds(ExifOrientation.apply(image, 8))).containsExactly(2, 5, 1, 4, 0, 3);
        assertThat(ExifOrientation.apply(image, 6).width()).isEqualTo(2);
    }

    private static int[] reds(RgbImage image) {
        int[] out = new int[image.width() * image.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.rgb()[i * 3] & 0xFF;
        }
        return out;
    }

    /** A smooth picture (JPEG keeps it nearly as is) that is clearly not symmetric. */
    private static RgbImage scene(int w, int h) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 255 * x / w;
                int g = 255 * y / h;
                b.setRGB(x, y, r << 16 | g << 8 | (x < w / 4 && y < h / 3 ? 255 : 0));
            }
        }
        return RgbImage.of(b);
    }

    @Test
    void aPhotoStoredOnItsSideDecodesUprightOnBothPaths() throws Exception {
        RgbImage upright = scene(96, 64);
        // The camera stored it turned a quarter anticlockwise, and tagged 6 (turn clockwise to view).
        RgbImage stored = ExifOrientation.apply(upright, 8);
        byte[] file = withOrientation(jpeg(stored), 6, ByteOrder.BIG_ENDIAN);
        ImageLoader loader = ImageLoader.withDefaults();
        RgbImage exact = loader.decode(file, "side.jpg");
        assertThat(exact.width()).isEqualTo(96);
        assertThat(exact.height()).isEqualTo(64);
        assertThat(meanDifference(exact, upright)).isLessThan(4);
        assertThat(meanDifference(exact, ExifOrientation.apply(upright, 3))).isGreaterThan(30);
        // The fast path for a 4-pixel input: decoded at a quarter, upright, sides chosen from the upright image.
        RgbImage fast = loader.decode(file, "side.jpg", DecodeScale.covering(4, 4), x -> x);
        assertThat(fast.width()).isEqualTo(24);
        assertThat(fast.height()).isEqualTo(16);
        assertThat(meanDifference(KerasResize.nearest(fast, 16, 16), KerasResize.nearest(upright, 16, 16)))
                .isLessThan(8);
    }

    private static double meanDifference(RgbImage a, RgbImage b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return (double) sum / a.rgb().length;
    }
}
