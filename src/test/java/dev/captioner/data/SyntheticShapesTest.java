package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticShapesTest {

    @TempDir
    Path tmp;

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void sameSeedGivesIdenticalFilesAndAnotherSeedDoesNot() throws Exception {
        SyntheticShapes.generate(new SynthSpec(40, 64, 3), tmp.resolve("a"));
        SyntheticShapes.generate(new SynthSpec(40, 64, 3), tmp.resolve("b"));
        SyntheticShapes.generate(new SynthSpec(40, 64, 4), tmp.resolve("c"));
        List<Path> a = files(tmp.resolve("a"));
        List<Path> b = files(tmp.resolve("b"));
        assertThat(a).hasSize(40 + 4);
        assertThat(a.stream().map(p -> tmp.resolve("a").relativize(p).toString()))
                .containsExactlyElementsOf(b.stream().map(p -> tmp.resolve("b").relativize(p).toString()).toList());
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(a.get(i))).as(a.get(i).toString()).isEqualTo(Files.readAllBytes(b.get(i)));
        }
        assertThat(Files.readString(tmp.resolve("c/Flickr8k_text/Flickr8k.token.txt")))
                .isNotEqualTo(Files.readString(tmp.resolve("a/Flickr8k_text/Flickr8k.token.txt")));
    }

    @Test
    void readsBackAsFlickr8kWithVariedTruthfulCaptions() throws Exception {
        SyntheticShapes.generate(new SynthSpec(200, 64, 1), tmp);
        try (Dataset d = DatasetLoader.load(tmp, LoadSpec.defaults())) {
            assertThat(d.format()).isEqualTo(DatasetFormat.FLICKR8K);
            assertThat(d.images()).hasSize(200).allMatch(ImageRecord::present)
                    .allMatch(r -> r.captions().size() == 5);
            assertThat(d.images(Split.TRAIN)).hasSize(150);
            assertThat(d.images(Split.DEV)).hasSize(25);
            assertThat(d.images(Split.TEST)).hasSize(25);
            DatasetStats s = DatasetStats.compute(d, Cleaning.KERAS_TUTORIAL);
            assertThat(s.words()).isGreaterThanOrEqualTo(40);
            Set<String> words = new HashSet<>();
            s.topWords().forEach(w -> words.add(w.word()));
            assertThat(words).contains("red", "green", "blue", "yellow", "purple", "orange",
                    "circle", "square", "triangle", "star", "small", "large", "left", "right", "top", "bottom");
            // At least three phrasings: captions of one image are not mere copies.
            assertThat(d.images()).allMatch(r -> new HashSet<>(r.captions()).size() >= 3);
            ImageRecord first = d.images().get(0);
            BufferedImage img;
            try (var in = d.open(first)) {
                img = ImageIO.read(in);
            }
            assertThat(img.getWidth()).isEqualTo(64);
            assertThat(img.getHeight()).isEqualTo(64);
        }
    }

    @Test
    void captionsNameColoursThatArePainted() throws Exception {
        // Each caption's colour words must be colours of the scene's shapes, and the count word
        // must match the number of shapes it speaks of.
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 300; i++) {
            ShapeScenes.Scene scene = ShapeScenes.draw(r);
            Set<String> painted = new HashSet<>();
            scene.items().forEach(it -> painted.add(it.paint().word));
            for (String c : ShapeCaptions.of(scene, r)) {
                for (ShapeScenes.Paint p : ShapeScenes.Paint.values()) {
                    if (List.of(c.split(" ")).contains(p.word)) {
                        assertThat(painted).as(c).contains(p.word);
                    }
                }
                if (c.startsWith("three shapes")) {
                    assertThat(scene.items()).as(c).hasSize(3);
                }
                if (c.startsWith("a single") || c.startsWith("one ") || c.startsWith("there is one")) {
                    assertThat(scene.items()).as(c).hasSize(1);
                }
            }
        }
    }

    @Test
    void tokenFileHasFiveWellFormedLinesPerImage() throws Exception {
        SyntheticShapes.generate(new SynthSpec(300, 96, 42), tmp);
        assertThat(files(tmp.resolve("Flicker8k_Dataset"))).hasSize(300);
        String token = Files.readString(tmp.resolve("Flickr8k_text/Flickr8k.token.txt"));
        assertThat(token.lines()).hasSize(1500).allMatch(l -> l.matches("shapes_\\d{6}\\.jpg#[0-4]\t[a-z ]+"));
    }

    @Test
    void validatesSettings() {
        assertThatThrownBy(() -> new SynthSpec(3, 96, 1)).hasMessageContaining("images must be between 8");
        assertThatThrownBy(() -> new SynthSpec(100, 8, 1)).hasMessageContaining("size must be between 32");
    }
}
