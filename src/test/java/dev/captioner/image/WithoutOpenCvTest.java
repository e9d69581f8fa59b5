package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.IsolatedClasses;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URLClassLoader;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The library declares OpenCV optional: a Java project without it still decodes JPEGs, with
 * ImageIO's subsampled read. Run in a class loader that sees the test class path minus OpenCV's
 * jar.
 */
class WithoutOpenCvTest {

    @Test
    void withoutOpenCvJpegsAreDecodedByImageIoSubsampling() throws Exception {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                image.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8 | (x ^ y) & 0xFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        byte[] jpeg = out.toByteArray();
        // 480 rows for a 24-row input: a factor of 5, i.e. 1/4 by libjpeg (160 wide) and every
        // fifth pixel by ImageIO ((640 - 2 + 4) / 5 = 128 wide).
        DecodeScale scale = DecodeScale.covering(24, 24);
        assertThat(ImageLoader.withDefaults().decode(jpeg, "p.jpg", scale, x -> x).width()).isEqualTo(160);

        assertThat(IsolatedClasses.classPath()).anyMatch(e -> e.contains("opencv"));
        try (URLClassLoader loader = IsolatedClasses.loader(e -> !e.contains("opencv"))) {
            Class<?> dct = Class.forName(DctScaledJpeg.class.getName(), true, loader);
            assertThat(IsolatedClasses.call(null, dct, "available", new Class<?>[0])).isEqualTo(false);
            Class<?> imageLoader = loader.loadClass(ImageLoader.class.getName());
            Class<?> decodeScale = loader.loadClass(DecodeScale.class.getName());
            Object isolatedScale = IsolatedClasses.call(null, decodeScale, "covering", new Class<?>[] {int.class, int.class}, 24, 24);
            Object isolatedLoader = IsolatedClasses.call(null, imageLoader, "withDefaults", new Class<?>[0]);
            Object decoded = IsolatedClasses.call(isolatedLoader, imageLoader, "decode",
                    new Class<?>[] {byte[].class, String.class, decodeScale, Function.class}, jpeg, "p.jpg",
                    isolatedScale, Function.identity());
            assertThat(IsolatedClasses.call(decoded, decoded.getClass(), "width", new Class<?>[0])).isEqualTo(128);
        }
    }
}
