import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captioner.data.SynthSpec;
import dev.captioner.pipeline.Demo;
import dev.captioner.pipeline.RunPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two examples, from a project that only depends on dev.captioner:captioner: a
 * tiny model is trained with the library's demo pipeline, then captioned with each example.
 */
class ExamplesTest {

    @TempDir
    static Path dir;

    static Path model;
    static Path image;

    @BeforeAll
    static void tinyModel() throws Exception {
        RunPipeline.Result r = new Demo(new PrintStream(new ByteArrayOutputStream()))
                .run(new Demo.Spec(dir, new SynthSpec(40, 32, 1), new Demo.Spec.EncoderStage(32, 1),
                        new Demo.Spec.CaptionStage(Demo.ARCHITECTURE, 2, 0)));
        model = dir.resolve("model");
        image = dir.resolve("data/Flicker8k_Dataset/shapes_000001.jpg");
        assertTrue(r.report().toFile().isFile());
    }

    private static String printed(Runnable main) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void captionerCaptionsAnImage() {
        String caption = printed(() -> CaptionExample.main(new String[] {model.toString(), image.toString()}));
        assertTrue(caption.matches("[a-z][a-z ]*"), "a caption of words: '" + caption + "'");
    }

    @Test
    void djlCriteriaLoadsTheModelAndAgreesWithCaptioner() {
        String viaDjl = printed(() -> {
            try {
                DjlExample.main(new String[] {model.toString(), image.toString()});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(viaDjl.matches("[a-z][a-z ]*"), "a caption of words: '" + viaDjl + "'");
        String beam3 = printed(() -> {
            try (dev.captioner.Captioner c = dev.captioner.Captioner.load(model,
                    dev.captioner.Captioner.Spec.defaults().withBeam(3))) {
                System.out.println(c.caption(image).text());
            }
        });
        assertEquals(beam3, viaDjl, "the DJL example uses beam 3, as Captioner does here");
    }
}
