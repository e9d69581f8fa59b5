package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.util.CaptionerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {

    private static List<List<String>> captions(String... texts) {
        return java.util.Arrays.stream(texts).map(t -> List.of(t.split(" "))).toList();
    }

    @Test
    void ranksByCountThenFirstOccurrenceLikeKerasTokenizer() {
        // Keras: Tokenizer().fit_on_texts(texts).word_index gives
        // {'startseq': 1, 'endseq': 2, 'dog': 3, 'cat': 4, 'zebra': 5, 'ant': 6}:
        // dog and cat both occur twice, dog first; zebra and ant once each, zebra first.
        Vocabulary v = Vocabulary.build(captions("startseq zebra dog endseq", "startseq cat dog endseq",
                "startseq cat ant endseq"), 1);
        assertThat(v.words()).containsExactly("startseq", "endseq", "dog", "cat", "zebra", "ant");
        assertThat(v.index("dog")).isEqualTo(3);
        assertThat(v.size()).isEqualTo(7);
        assertThat(v.count(3)).isEqualTo(2);
    }

    @Test
    void asATokenizerItSkipsPaddingMarkersAndUnkAndJoinsWordsBySpaces() {
        Vocabulary v = Vocabulary.build(captions("startseq dog dog endseq", "startseq cat endseq", "startseq ant endseq"), 2);
        assertThat(v.hasUnk()).isTrue();
        int[] ids = v.encode(List.of("startseq", "dog", "ant", "dog", "endseq"));
        assertThat(v.text(new int[] {Vocabulary.PAD, ids[0], ids[1], ids[2], ids[3], ids[4], Vocabulary.PAD}))
                .isEqualTo("dog dog");
        assertThat(v.special(v.index("dog"))).isFalse();
        assertThat(v.special(v.index(Vocabulary.UNK))).isTrue();
        assertThatThrownBy(() -> v.text(new int[] {v.size()})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutMinCountUnknownWordsAreDroppedWhenEncoding() {
        Vocabulary v = Vocabulary.build(captions("startseq dog endseq"), 1);
        assertThat(v.hasUnk()).isFalse();
        assertThat(v.encode(List.of("startseq", "unicorn", "dog", "endseq"))).containsExactly(1, 2, 3);
        assertThat(v.index("unicorn")).isEqualTo(-1);
    }

    @Test
    void minCountMapsRareWordsToUnkAtIndexOne() {
        Vocabulary v = Vocabulary.build(captions("startseq dog cat endseq", "startseq dog endseq"), 2);
        assertThat(v.words()).containsExactly(Vocabulary.UNK, "startseq", "dog", "endseq");
        assertThat(v.index("cat")).isEqualTo(1);
        assertThat(v.index("unicorn")).isEqualTo(1);
        assertThat(v.count(1)).isEqualTo(1);
        assertThat(v.encode(List.of("startseq", "cat", "endseq"))).containsExactly(2, 1, 4);
        assertThat(v.decode(new int[] {2, 3, 0, 0})).containsExactly("startseq", "dog");
    }

    @Test
    void roundTripsThroughJson(@TempDir Path dir) {
        Vocabulary v = Vocabulary.build(captions("startseq b a b endseq", "startseq c endseq"), 1);
        v.save(dir.resolve("vocab.json"));
        Vocabulary back = Vocabulary.load(dir.resolve("vocab.json"));
        assertThat(back).isEqualTo(v);
        assertThat(back.index("b")).isEqualTo(v.index("b"));
    }

    @Test
    void rejectsABrokenFileNamingIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("vocab.json");
        Files.writeString(f, "{\"format\":\"captioner-vocabulary/1\",\"words\":[\"a\",\"a\"],\"counts\":[1,1]}");
        assertThatThrownBy(() -> Vocabulary.load(f)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("vocab.json").hasMessageContaining("duplicate word 'a'");
        Files.writeString(f, "{\"format\":\"other\"}");
        assertThatThrownBy(() -> Vocabulary.load(f)).hasMessageContaining("field 'format'");
    }

    @Test
    void rejectsMinCountBelowOne() {
        assertThatThrownBy(() -> Vocabulary.build(List.of(), 0)).hasMessageContaining("at least 1");
    }
}
