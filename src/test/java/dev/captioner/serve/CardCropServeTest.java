package dev.captioner.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.decode.Caption;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import dev.captioner.testutil.Jpegs;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.ExportedEncoder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A card whose input is not square (the fixture CNN reads 64 x 48) with torchvision's
 * shorter-side resize and centre crop: portrait, landscape and tiny photos are all captioned
 * through the server, the crop padded where the resized photo is narrower than the input, as
 * torchvision does. Such a request used to be a 500.
 */
class CardCropServeTest {

    @TempDir
    Path tmp;

    @Test
    void portraitLandscapeAndTinyPhotosAreCaptionedWithANonSquareCropCard() throws Exception {
        Path model = tmp.resolve("cnn.onnx");
        try (InputStream in = CardCropServeTest.class.getResourceAsStream("/fixtures/exported/cnn.onnx")) {
            Files.copy(in, model);
        }
        String json;
        try (InputStream in = CardCropServeTest.class.getResourceAsStream("/fixtures/exported/cnn.onnx.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        EncoderCard card = EncoderCard.parse(json.replace("\"resize\": \"squash\"",
                "\"resize\": \"shorter-side-then-center-crop\""), "the test's card");
        try (ExportedEncoder encoder = ExportedEncoder.open(ExportedEncoder.Format.ONNX, model, card)) {
            CaptionService service = new CaptionService() {
                @Override
                public List<Caption> caption(RgbImage image, int beam) {
                    float[] pooled = encoder.encode(image);
                    return List.of(new Caption(List.of("pooled", String.valueOf(pooled.length)), -1, -1, true));
                }

                @Override
                public DecodeScale decodeScale() {
                    return encoder.decodeScale();
                }

                @Override
                public Map<String, Object> describe() {
                    return Map.of("encoder", encoder.name());
                }
            };
            try (CaptionServer server = CaptionServer.start(service, ServeSpec.builder().port(0).workers(2, 16)
                    .batching(1, 0).build())) {
                HttpClient client = HttpClient.newHttpClient();
                for (int[] size : new int[][] {{300, 900}, {900, 300}, {48, 64}, {7, 5}, {1, 1}}) {
                    byte[] jpeg = Jpegs.jpeg(Jpegs.photo(size[0], size[1], size[0]), false);
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/api/caption")).header("Content-Type", "image/jpeg")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(size[0] + "x" + size[1] + ": " + r.body()).isEqualTo(200);
                    assertThat(r.body()).contains("pooled");
                }
            }
        }
    }
}
