package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The library declares OpenCV optional: a Java project without it still decodes JPEGs, with
 * ImageIO's subsampled read. Run in a class loader that sees the test class path minus OpenCV's
 * jar.
 */
class WithoutOpenCvTest {

    /** The class path the tests run with (Surefire's own property when it hides it in a jar). */
    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    private static Object call(Object target, Class<?> type, String name, Class<?>[] types, Object... args)
            throws Exception {
        Method m = type.getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m.invoke(target, args);
    }

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

        List<String> entries = classPath();
        assertThat(entries).anyMatch(e -> e.contains("opencv"));
        URL[] urls = entries.stream().filter(e -> !e.contains("opencv")).map(e -> {
            try {
                return Path.of(e).toUri().toURL();
            } catch (java.net.MalformedURLException ex) {
                throw new IllegalStateException(ex);
            }
        }).toArray(URL[]::new);
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> dct = Class.forName(DctScaledJpeg.class.getName(), true, loader);
            assertThat(call(null, dct, "available", new Class<?>[0])).isEqualTo(false);
            Class<?> imageLoader = loader.loadClass(ImageLoader.class.getName());
            Class<?> decodeScale = loader.loadClass(DecodeScale.class.getName());
            Object isolatedScale = call(null, decodeScale, "covering", new Class<?>[] {int.class, int.class}, 24, 24);
            Object isolatedLoader = call(null, imageLoader, "withDefaults", new Class<?>[0]);
            Object decoded = call(isolatedLoader, imageLoader, "decode",
                    new Class<?>[] {byte[].class, String.class, decodeScale, Function.class}, jpeg, "p.jpg",
                    isolatedScale, Function.identity());
            assertThat(call(decoded, decoded.getClass(), "width", new Class<?>[0])).isEqualTo(128);
        }
    }
}
