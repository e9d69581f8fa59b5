package dev.captioner.data;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    public static int generate(SynthSpec config, Path out) {
        Path images = out.resolve("Flicker8k_Dataset");
        Path text = out.resolve("Flickr8k_text");
        try {
            Files.createDirectories(images);
            Files.createDirectories(text);
        } catch (IOException e) {
            throw new CaptionerException(out + ": cannot create folder: " + e.getMessage(), e);
        }
        // Each image depends only on (seed, index), so images are drawn and written in parallel
        // (the fsync of every file overlaps the next drawing) and the dataset's bytes stay the same.
        Map<String, List<String>> captions = new LinkedHashMap<>();
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Progress progress = Progress.start("synth", config.images(), "images")) {
            List<Future<List<String>>> drawn = new ArrayList<>();
            for (int i = 0; i < config.images(); i++) {
                int index = i;
                drawn.add(pool.submit(() -> {
                    Random random = new Random(mix(config.seed(), index));
                    ShapeScenes.Scene scene = ShapeScenes.draw(random);
                    AtomicFiles.write(images.resolve(name(index)),
                            ShapeRenderer.jpeg(ShapeRenderer.render(scene, config.size(), random)));
                    List<String> caps = ShapeCaptions.of(scene, random);
                    progress.step();
                    return caps;
                }));
            }
            for (int i = 0; i < drawn.size(); i++) {
                captions.put(name(i), drawn.get(i).get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptionerException(out + ": interrupted while writing images", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new CaptionerException(out + ": " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
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

    private static String name(int index) {
        return String.format(Locale.ROOT, "shapes_%06d.jpg", index + 1);
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
