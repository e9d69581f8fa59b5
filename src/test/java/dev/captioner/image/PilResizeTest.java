package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resizing against Pillow byte for byte: the expected images were made by Pillow 9.4 and
 * torchvision 0.14 (Debian's python3-pil and python3-torchvision) with
 * src/test/resources/fixtures/resize/make_resize_fixtures.py: bilinear, bicubic and nearest,
 * shrinking and enlarging to odd sizes, and torchvision's Resize then CenterCrop, square and not,
 * on landscape and portrait images, including crops larger than the resized image (padded).
 */
class PilResizeTest {

    private static final String DIR = "/fixtures/resize/";

    static Stream<JsonNode> cases() throws Exception {
        try (InputStream in = PilResizeTest.class.getResourceAsStream(DIR + "cases.json")) {
            return StreamSupport.stream(new ObjectMapper().readTree(in).spliterator(), false);
        }
    }

    private static RgbImage png(String name) throws Exception {
        try (InputStream in = PilResizeTest.class.getResourceAsStream(DIR + name)) {
            return RgbImage.of(ImageIO.read(in));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void equalsPillowToTheByte(JsonNode c) throws Exception {
        RgbImage source = png(c.get("source").asText());
        PilResize.Filter filter = PilResize.Filter.parse(c.get("interpolation").asText());
        RgbImage got = c.get("kind").asText().equals("resize")
                ? PilResize.resize(source, c.get("width").asInt(), c.get("height").asInt(), filter)
                : PilResize.shorterSideThenCenterCrop(source, c.get("size").asInt(),
                        c.has("crop") ? c.get("crop").asInt() : c.get("crop_width").asInt(),
                        c.has("crop") ? c.get("crop").asInt() : c.get("crop_height").asInt(), filter);
        RgbImage expected = png(c.get("expected").asText());
        assertThat(got.width()).isEqualTo(expected.width());
        assertThat(got.height()).isEqualTo(expected.height());
        int differ = 0;
        for (int i = 0; i < got.rgb().length; i++) {
            if (got.rgb()[i] != expected.rgb()[i]) {
                differ++;
            }
        }
        assertThat(differ).as("samples that differ from Pillow's").isZero();
    }
}
