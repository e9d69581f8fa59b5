package dev.captioner.hf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java decoder gives the text Hugging Face's tokenizers library (Rust, through DJL)
 * gives for the real GPT-2 tokenizer.json: every token alone, and random sequences that mix
 * multi-byte characters split across tokens, broken UTF-8 and the special token. Transformers'
 * clean-up of spaces is then checked on its own, against its documented replacements.
 */
class ByteLevelTextTest {

    static final Path DIR = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");

    @Test
    void everyTokenAndRandomSequencesDecodeAsHuggingFacesTokenizerDecodesThem() throws Exception {
        ByteLevelText ours = ByteLevelText.read(DIR);
        try (HuggingFaceTokenizer theirs = HuggingFaceTokenizer.newInstance(DIR.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false"))) {
            int n = ours.size();
            assertThat(n).isEqualTo(50257);
            for (int id = 0; id < n; id++) {
                assertThat(ours.raw(new int[] {id})).as("token %d", id).isEqualTo(theirs.decode(new long[] {id}, true));
            }
            SplittableRandom random = new SplittableRandom(7);
            for (int s = 0; s < 2000; s++) {
                int[] ids = new int[1 + random.nextInt(12)];
                long[] longs = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    // Low ids are single bytes (many of them halves of UTF-8 characters).
                    ids[i] = random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(n);
                    longs[i] = ids[i];
                }
                assertThat(ours.raw(ids)).as("ids %s", java.util.Arrays.toString(ids))
                        .isEqualTo(theirs.decode(longs, true));
            }
        }
    }

    @Test
    void cleanUpRemovesSpacesBeforePunctuationAndContractionsThenTrims() {
        assertThat(ByteLevelText.cleanUp(" a dog , running . is n't it ? yes ! it 's ok ' he said '  "))
                .isEqualTo("a dog, running. isn't it? yes! it's ok'he said'");
        // Broken UTF-8: one U+FFFD per maximal ill-formed subpart (Unicode's rule, as Rust and Python).
        byte[] broken = {'a', (byte) 0xED, (byte) 0xA1, (byte) 0xE2, (byte) 0x82, 'b', (byte) 0xF0, (byte) 0x9F,
            (byte) 0x98, (byte) 0x80, (byte) 0xC3};
        // (what Python's bytes.decode('utf-8', 'replace') gives for these bytes)
        assertThat(ByteLevelText.lossyUtf8(broken)).isEqualTo("a\uFFFD\uFFFD\uFFFDb\uD83D\uDE00\uFFFD");
    }
}
