package dev.captioner.serve;

import dev.captioner.decode.Caption;
import dev.captioner.image.DecodeScale;
import dev.captioner.image.RgbImage;
import java.util.List;
import java.util.Map;

/**
 * A stand-in model that reads images as a 224-pixel network does: the server decodes uploads on
 * the fast path at the scale such an encoder allows, and the caption names the decoded size.
 */
final class ScaledService implements CaptionService {

    @Override
    public List<Caption> caption(RgbImage image, int beam) {
        return List.of(new Caption(List.of("decoded", String.valueOf(image.width()), "by",
                String.valueOf(image.height())), -1.0, -1.0, true));
    }

    @Override
    public DecodeScale decodeScale() {
        return DecodeScale.covering(224, 224);
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("architecture", "merge", "encoder", "scaled");
    }

    /**
     * Serves this stand-in on a free port and prints {@code port N}, for tests that need the
     * server in a JVM of its own (a small heap); stops when its standard input closes.
     */
    public static void main(String[] args) throws Exception {
        try (CaptionServer s = CaptionServer.start(new ScaledService(), ServeSpec.builder().port(0).workers(2, 64)
                .batching(1, 0).build())) {
            System.out.println("port " + s.port());
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
