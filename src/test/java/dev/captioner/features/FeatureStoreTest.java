package dev.captioner.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.util.CaptionerException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStoreTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsIdsFeaturesAndAttributes() {
        FeatureSet set = new FeatureSet(List.of("x.jpg", "long_name_0001.jpg"), new float[][] {{1, 2, 3}, {4, 5, 6.5f}},
                "mobilenet", 3, "abc123", 224);
        Path file = tmp.resolve("f.h5");
        FeatureStore.write(file, set);
        FeatureSet back = FeatureStore.read(file);
        assertThat(back.ids()).containsExactly("x.jpg", "long_name_0001.jpg");
        assertThat(back.features()[1]).containsExactly(4, 5, 6.5f);
        assertThat(back.encoder()).isEqualTo("mobilenet");
        assertThat(back.featureDim()).isEqualTo(3);
        assertThat(back.weightsSha256()).isEqualTo("abc123");
        assertThat(back.imageSize()).isEqualTo(224);
        assertThat(back.index()).containsEntry("long_name_0001.jpg", 1);
        assertThat(tmp).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void readsAFileWrittenByH5py() throws Exception {
        // fixtures/make_feature_fixture.py: ids as variable-length strings, features[i][j] = i + j/10.
        Path file = tmp.resolve("py.h5");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/features/h5py_features.h5")) {
            Files.write(file, in.readAllBytes());
        }
        FeatureSet set = FeatureStore.read(file);
        assertThat(set.ids()).containsExactly("a.jpg", "b.jpg", "c.jpg");
        assertThat(set.features()[2]).containsExactly(2f, 2.1f, 2.2f, 2.3f);
        assertThat(set.encoder()).isEqualTo("vgg16");
    }

    @Test
    void rejectsMismatchedShapesAndForeignFiles() throws Exception {
        assertThatThrownBy(() -> new FeatureSet(List.of("a"), new float[][] {{1}, {2}}, "e", 1, "s", 1))
                .hasMessageContaining("1 ids but 2 feature rows");
        Path junk = Files.writeString(tmp.resolve("junk.h5"), "nope");
        assertThatThrownBy(() -> FeatureStore.read(junk)).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("junk.h5");
        assertThatThrownBy(() -> FeatureStore.read(tmp.resolve("none.h5"))).hasMessageContaining("no such feature file");
    }
}
