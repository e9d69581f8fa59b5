package dev.captioner.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.util.CaptionerException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.captioner.vision.GridShape;
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

    /** A feature file written by hand with jHDF, as another tool might. */
    private Path handWritten(String name, Object ids, Object features) {
        Path file = tmp.resolve(name);
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(file)) {
            h5.putDataset("ids", ids);
            h5.putDataset("features", features);
            h5.putAttribute("encoder", "vgg16");
            h5.putAttribute("feature_dim", 2);
            h5.putAttribute("weights_sha256", "abc");
            h5.putAttribute("image_size", 224);
        }
        return file;
    }

    @Test
    void filesThatLieAreErrorsNamingTheFileAndWhatWasExpected() throws Exception {
        Path doubles = handWritten("f64.h5", new String[] {"a.jpg"}, new double[][] {{1, 2}});
        assertThatThrownBy(() -> FeatureStore.read(doubles)).isInstanceOf(CaptionerException.class)
                .hasMessage(doubles + ": dataset 'features' holds double values, expected float32");
        Path uneven = handWritten("uneven.h5", new String[] {"a.jpg", "b.jpg"}, new float[][] {{1, 2}, {3, 4}, {5, 6}});
        assertThatThrownBy(() -> FeatureStore.read(uneven)).isInstanceOf(CaptionerException.class)
                .hasMessageStartingWith(uneven + ": dataset 'ids' must hold one string per feature row (3)");
        Path noIds = tmp.resolve("noids.h5");
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(noIds)) {
            h5.putDataset("features", new float[][] {{1, 2}});
        }
        assertThatThrownBy(() -> FeatureStore.read(noIds)).hasMessage(noIds + ": no dataset 'ids'; not a captioner feature file");

        Path good = tmp.resolve("good.h5");
        float[][] rows = new float[200][2];
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            ids.add("img" + i + ".jpg");
        }
        FeatureStore.write(good, new FeatureSet(ids, rows, "vgg16", 2, "abc", 224));
        byte[] whole = Files.readAllBytes(good);
        // jHDF itself reads a cut file without complaint (and returns garbled ids).
        for (int length : new int[] {whole.length / 2, whole.length - 10}) {
            Path cut = Files.write(tmp.resolve("cut.h5"), java.util.Arrays.copyOf(whole, length));
            assertThatThrownBy(() -> FeatureStore.read(cut)).isInstanceOf(CaptionerException.class)
                    .hasMessage(cut + ": truncated HDF5 file (" + length + " of the " + whole.length
                            + " bytes it says it has); copy or download it again");
        }
    }

    @Test
    void gridsRoundTripAndAFileWrittenByH5pyReadsLocationMajor() throws Exception {
        GridShape grid = new GridShape(2, 3, 2);
        float[][] rows = new float[2][grid.size()];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < grid.size(); j++) {
                rows[i][j] = i * 100 + j;
            }
        }
        Path file = tmp.resolve("grid.h5");
        FeatureStore.write(file, new FeatureSet(List.of("a.jpg", "b.jpg"), FeatureRows.of(rows, grid.size()), "vgg16",
                grid.size(), "abc", 224, null, grid));
        FeatureSet back = FeatureStore.read(file);
        assertThat(back.grid()).isEqualTo(grid);
        assertThat(back.kind()).isEqualTo(dev.captioner.vision.FeatureKind.GRID);
        assertThat(back.features()).isDeepEqualTo(rows);
        // Pooled per image: the mean over the six locations of each channel.
        assertThat(back.pooled()[1]).containsExactly(105f, 106f);

        // fixtures/make_feature_fixture.py: features[i][l][c] = 100 i + 10 l + c, shape [2, 6, 3].
        Path py = tmp.resolve("py_grid.h5");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/features/h5py_grid_features.h5")) {
            Files.write(py, in.readAllBytes());
        }
        FeatureSet fromPython = FeatureStore.read(py);
        assertThat(fromPython.grid()).isEqualTo(new GridShape(2, 3, 3));
        float[] b = fromPython.rows().row(1);
        assertThat(b).hasSize(18);
        // Location l = row * width + column; channel c within it.
        assertThat(b[4 * 3 + 2]).isEqualTo(100 + 40 + 2);
        assertThat(b[0]).isEqualTo(100);
    }

    private static float[][] gridRows(int n, GridShape grid, int salt) {
        float[][] rows = new float[n][grid.size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < grid.size(); j++) {
                rows[i][j] = salt + i * 1000 + j * 0.5f;
            }
        }
        return rows;
    }

    @Test
    void rowsAreStreamedIntoExactlyTheFileJhdfWritesForTheWholeArray() throws Exception {
        GridShape grid = new GridShape(2, 2, 3);
        float[][] rows = gridRows(5, grid, 7);
        List<String> ids = List.of("a", "b", "c", "d", "e");
        Path streamed = tmp.resolve("streamed.h5");
        FeatureStore.write(streamed, new FeatureSet(ids, FeatureRows.of(rows, grid.size()), "vgg16", grid.size(), "abc",
                224, null, grid));
        float[][][] array = new float[5][grid.locations()][grid.depth()];
        for (int i = 0; i < 5; i++) {
            for (int l = 0; l < grid.locations(); l++) {
                System.arraycopy(rows[i], l * grid.depth(), array[i][l], 0, grid.depth());
            }
        }
        Path whole = tmp.resolve("whole.h5");
        try (io.jhdf.WritableHdfFile h5 = io.jhdf.HdfFile.write(whole)) {
            h5.putDataset("ids", ids.toArray(String[]::new));
            h5.putDataset("features", array);
            h5.putAttribute("encoder", "vgg16");
            h5.putAttribute("feature_kind", "grid");
            h5.putAttribute("feature_dim", 3);
            h5.putAttribute("grid_height", 2);
            h5.putAttribute("grid_width", 2);
            h5.putAttribute("weights_sha256", "abc");
            h5.putAttribute("image_size", 224);
        }
        // jHDF's own files are the ones h5py reads (and make_feature_fixture.py checked it once
        // against h5py for a streamed file): the same bytes mean the same compatibility.
        assertThat(Files.readAllBytes(streamed)).isEqualTo(Files.readAllBytes(whole));
    }

    @Test
    void storesOverTheLimitAreReadFromTheFileOnDemand() throws Exception {
        GridShape grid = new GridShape(3, 2, 4);
        float[][] rows = gridRows(40, grid, 1);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            ids.add("img" + i);
        }
        Path file = tmp.resolve("big.h5");
        FeatureStore.write(file, new FeatureSet(ids, FeatureRows.of(rows, grid.size()), "vgg16", grid.size(), "abc",
                224, null, grid));
        FeatureSet onDemand = FeatureStore.read(file, 0);
        assertThat(onDemand.rows()).isInstanceOf(FileFeatureRows.class);
        assertThat(FeatureStore.read(file).rows()).isNotInstanceOf(FileFeatureRows.class);
        assertThat(onDemand.features()).isDeepEqualTo(rows);
        float[] dst = new float[grid.size() + 2];
        onDemand.rows().copy(39, dst, 2);
        assertThat(java.util.Arrays.copyOfRange(dst, 2, dst.length)).containsExactly(rows[39]);

        // Replacing the file (as a re-run does, by renaming) leaves an open reader on the old content.
        FeatureStore.write(file, new FeatureSet(ids, FeatureRows.of(gridRows(40, grid, 5), grid.size()), "vgg16",
                grid.size(), "abc", 224, null, grid));
        assertThat(onDemand.rows().row(3)).containsExactly(rows[3]);
        assertThat(FeatureStore.read(file, 0).rows().row(3)[0]).isEqualTo(5 + 3000);

        // h5py's contiguous layout is read on demand too.
        Path py = tmp.resolve("py_grid.h5");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/features/h5py_grid_features.h5")) {
            Files.write(py, in.readAllBytes());
        }
        FeatureSet fromPython = FeatureStore.read(py, 0);
        assertThat(fromPython.rows()).isInstanceOf(FileFeatureRows.class);
        assertThat(fromPython.rows().row(1)[4 * 3 + 2]).isEqualTo(142);
    }
}
