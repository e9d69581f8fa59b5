package dev.captioner.data;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The built-in "shapes" dataset: JPEG scenes of one to three coloured shapes with five
 * captions each that state only what is visible (colour, shape, size, count, position), written
 * in the official Flickr8k layout so that the real reader reads it. The same settings always
 * give the same bytes. Scenes are drawn by {@link ShapeScenes}, described by
 * {@link ShapeCaptions} and rendered by {@link ShapeRenderer}; this class writes the files.
 */
public final class SyntheticShapes {

    private SyntheticShapes() {}

    /**
     * Writes the dataset.
     *
     * @param config how many images, how large, which seed
     * @param out the folder to write into (created if needed)
     * @return the number of images written
     */
    public static int generate(SynthConfig config, Path out) {
        Path images = out.resolve("Flicker8k_Dataset");
        Path text = out.resolve("Flickr8k_text");
        try {
            Files.createDirectories(images);
            Files.createDirectories(text);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create folder: " + e.getMessage(), e);
        }
        Map<String, List<String>> captions = new LinkedHashMap<>();
        try (Progress progress = Progress.start("synth", config.images(), "images")) {
            for (int i = 0; i < config.images(); i++) {
                String name = String.format(Locale.ROOT, "shapes_%06d.jpg", i + 1);
                Random random = new Random(mix(config.seed(), i));
                ShapeScenes.Scene scene = ShapeScenes.draw(random);
                AtomicFiles.write(images.resolve(name), ShapeRenderer.jpeg(ShapeRenderer.render(scene, config.size(), random)));
                captions.put(name, ShapeCaptions.of(scene, random));
                progress.step();
            }
        }
        Map<String, Split> splits = RandomSplit.assign(captions.keySet(), config.seed());
        for (Split s : Split.values()) {
            StringBuilder list = new StringBuilder();
            captions.keySet().stream().filter(n -> splits.get(n) == s).forEach(n -> list.append(n).append('\n'));
            AtomicFiles.writeString(text.resolve("Flickr_8k." + s.id() + "Images.txt"), list.toString());
        }
        // The token file comes last: a folder without it is not a finished dataset.
        StringBuilder token = new StringBuilder();
        captions.forEach((name, caps) -> {
            for (int k = 0; k < caps.size(); k++) {
                token.append(name).append('#').append(k).append('\t').append(caps.get(k)).append('\n');
            }
        });
        AtomicFiles.writeString(text.resolve("Flickr8k.token.txt"), token.toString());
        return captions.size();
    }

    /**
     * A well-spread seed for image {@code i}: java.util.Random's first outputs for nearby seeds
     * are nearly equal, so the seeds are scrambled (SplitMix64's finaliser) first.
     */
    static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
