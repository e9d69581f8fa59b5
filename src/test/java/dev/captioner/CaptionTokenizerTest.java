package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.data.CaptionTokenizer;
import dev.captioner.decode.Caption;
import dev.captioner.image.ImageLoader;
import dev.captioner.testutil.TinyPipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer seam: a trained model's word vocabulary and a pretrained folder's
 * {@code tokenizer.json} answer the same questions, and every caption's text is its tokenizer's
 * text of the ids the search chose, greedy and beam, whichever model made it. (That the ids are
 * the right ones is checked elsewhere: against PyTorch's for pretrained folders,
 * PretrainedCaptionerTest; here, for a trained model, against its vocabulary's encoding.)
 */
class CaptionTokenizerTest {

    static final Path PRETRAINED = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");
    static final List<Path> IMAGES = List.of(Path.of("src/test/resources/fixtures/images/rgb_225x224.png"),
            Path.of("src/test/resources/fixtures/images/gray_45x33.png"));

    @Test
    void everyCaptionIsItsTokenizersTextOfItsIds(@TempDir Path tmp) throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp);
        for (Path model : List.of(p.model(), PRETRAINED)) {
            for (int beam : new int[] {1, 3}) {
                try (Captioner c = Captioner.load(model, Captioner.Spec.defaults().withBeam(beam))) {
                    CaptionTokenizer t = c.tokenizer();
                    for (Path image : IMAGES) {
                        for (Caption caption : c.alternatives(ImageLoader.withDefaults().load(image))) {
                            int[] ids = caption.tokens();
                            assertThat(ids.length).as("%s beam %d", model, beam).isGreaterThan(1);
                            assertThat(t.special(ids[0])).as("the start token").isTrue();
                            assertThat(t.text(ids)).as("%s beam %d", model, beam).isEqualTo(caption.text());
                            assertThat(t.special(ids[ids.length - 1])).as("ends with the end token")
                                    .isEqualTo(caption.finished());
                            if (c.model() != null) {
                                // A trained model's ids are its vocabulary's: the words with both markers.
                                List<String> words = new java.util.ArrayList<>(List.of("startseq"));
                                words.addAll(caption.words());
                                if (caption.finished()) {
                                    words.add("endseq");
                                }
                                assertThat(ids).containsExactly(c.model().vocabulary().encode(words));
                            }
                        }
                    }
                }
            }
        }
    }
}
