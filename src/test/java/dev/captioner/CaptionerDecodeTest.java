package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.decode.Caption;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API captions files from the fast decode by default and from the exact one when asked:
 * each caption equals the one of the pixels that path decodes.
 */
class CaptionerDecodeTest {

    @TempDir
    Path tmp;

    @Test
    void captionsFilesFromTheFastDecodeUnlessAskedForTheExactOne() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp);
        // A photo much larger than the encoder's input: one of the dataset's, enlarged.
        RgbImage small = ImageLoader.withDefaults().load(p.data().resolve("Flicker8k_Dataset/shapes_000001.jpg"));
        BufferedImage big = new BufferedImage(small.width() * 12, small.height() * 12, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(small.toBufferedImage(), 0, 0, big.getWidth(), big.getHeight(), null);
        g.dispose();
        Random noise = new Random(5);
        for (int y = 0; y < big.getHeight(); y++) {
            for (int x = 0; x < big.getWidth(); x++) {
                big.setRGB(x, y, big.getRGB(x, y) ^ noise.nextInt(8) * 0x010101);
            }
        }
        Path file = tmp.resolve("big.png");
        ImageIO.write(big, "png", file.toFile());
        byte[] bytes = Files.readAllBytes(file);
        ImageLoader loader = ImageLoader.withDefaults();
        try (Captioner fast = Captioner.load(p.model());
                Captioner exact = Captioner.load(p.model(), Captioner.Spec.defaults().withExactDecode(true))) {
            assertThat(fast.decodeScale().factor(big.getWidth(), big.getHeight())).isGreaterThan(1);
            assertThat(exact.decodeScale().factor(big.getWidth(), big.getHeight())).isEqualTo(1);
            List<Caption> fromFast = loader.decode(bytes, "big.png", fast.decodeScale(), fast::alternatives);
            List<Caption> fromFull = exact.alternatives(loader.decode(bytes, "big.png", DecodeScale.FULL, Function.identity()));
            assertThat(fromFast.get(0).score()).as("the two paths see different pixels")
                    .isNotEqualTo(fromFull.get(0).score());
            assertThat(fast.caption(file).text()).isEqualTo(fromFast.get(0).text());
            assertThat(fast.caption(file).score()).isEqualTo(fromFast.get(0).score());
            assertThat(exact.caption(file).score()).isEqualTo(fromFull.get(0).score());
            assertThat(fast.captionAll(List.of(file)).get(0).score()).isEqualTo(fromFast.get(0).score());
        }
    }
}
