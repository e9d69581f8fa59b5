package dev.captioner.spark;

import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.vision.ImageInputs;
import dev.captioner.image.ImageLoader;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Image features on a cluster: one row per file with {@code name} (the file name, the id the
 * feature store uses), {@code path}, {@code features} (array of float: the pooled vector, or the
 * grid flattened location-major as in the HDF5 store), {@code error}, and what the features were
 * made with: {@code encoder}, {@code weights_sha256}, {@code image_size}, {@code feature_dim} (the
 * annotation size D for grids), {@code grid_height} and {@code grid_width} (null for pooled; all
 * of them null on the row of an empty file, which Spark never hands to the encoder).
 * {@link ImportJob} turns them into the HDF5 store that {@code captioner train} reads.
 */
public final class FeatureJob {

    /** The output's columns. */
    public static final StructType SCHEMA = new StructType()
            .add("name", DataTypes.StringType, false)
            .add("path", DataTypes.StringType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("error", DataTypes.StringType, true)
            .add("encoder", DataTypes.StringType, true)
            .add("weights_sha256", DataTypes.StringType, true)
            .add("image_size", DataTypes.IntegerType, true)
            .add("feature_dim", DataTypes.IntegerType, true)
            .add("grid_height", DataTypes.IntegerType, true)
            .add("grid_width", DataTypes.IntegerType, true)
            .add("encoder_card", DataTypes.StringType, true);

    /**
     * What to extract.
     *
     * @param files the image files
     * @param encoder the encoder and what it gives
     * @param batch images per network call
     * @param maxPixels largest image accepted
     */
    public record Spec(ImageSelection files, EncoderSpec encoder, int batch, long maxPixels) implements Serializable {

        private static final long serialVersionUID = 1L;
    }

    private FeatureJob() {}

    /**
     * @param spark the session
     * @param s settings
     * @return the feature rows (lazy)
     */
    public static Dataset<Row> run(SparkSession spark, Spec s) {
        // An exported model (onnx:FILE) travels like weights: a node path, a shipped name or a URI.
        EncoderSpec e = s.encoder();
        java.nio.file.Path file = dev.captioner.vision.Encoders.fileOf(e.encoder());
        String encoder = file == null ? e.encoder()
                : e.encoder().substring(0, e.encoder().indexOf(':') + 1) + ModelLocation.prepare(spark, file.toString(), "encoder");
        String card = e.cardJson();
        if (card == null && file != null && Files.isRegularFile(EncoderCard.besideModel(file))) {
            card = EncoderCard.read(EncoderCard.besideModel(file)).toJson();
        }
        Spec shipped = new Spec(s.files(), new EncoderSpec(encoder,
                e.weights() == null ? null : ModelLocation.prepare(spark, e.weights(), "weights"), e.grid(), card),
                s.batch(), s.maxPixels());
        ImageSelection f = s.files();
        Dataset<Row> rows = ImageFiles.read(spark, f.images(), f.glob(), f.partitions(), ImageLoader.DEFAULT_MAX_BYTES)
                .mapPartitions(new Partition(shipped), Encoders.row(SCHEMA));
        // Spark skips empty files; they are error rows here, without an encoder description.
        List<Row> empty = new ArrayList<>();
        for (String path : ImageFiles.emptyFiles(spark, f.images(), f.glob())) {
            empty.add(RowFactory.create(ImageFiles.name(path), path, null, path + ": empty file", null, null, null, null,
                    null, null, null));
        }
        return empty.isEmpty() ? rows : rows.union(spark.createDataFrame(empty, SCHEMA));
    }

    private static final class Partition implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final Spec s;

        Partition(Spec s) {
            this.s = s;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> files) {
            ImageEncoder encoder = ExecutorModels.encoder(s.encoder());
            ImageLoader loader = new ImageLoader(s.maxPixels());
            return new Batches<>(files, s.batch(), batch -> encode(encoder, loader, batch));
        }

        private List<Row> encode(ImageEncoder encoder, ImageLoader loader, List<Row> files) {
            GridShape grid = encoder.grid();
            PreparedBatch batch = PreparedBatch.of(files, loader, image -> ImageInputs.of(image, encoder));
            Row[] out = new Row[files.size()];
            for (int i = 0; i < out.length; i++) {
                if (batch.errors()[i] != null) {
                    out[i] = row(encoder, grid, batch.paths().get(i), null, batch.errors()[i]);
                }
            }
            float[][] features = encoder.encode(batch.inputs());
            for (int j = 0; j < features.length; j++) {
                int i = batch.readable().get(j);
                out[i] = row(encoder, grid, batch.paths().get(i), features[j], null);
            }
            return List.of(out);
        }

        private static Row row(ImageEncoder encoder, GridShape grid, String path, float[] features, String error) {
            return RowFactory.create(ImageFiles.name(path), path, features, error, encoder.name(), encoder.weightsSha256(),
                    encoder.imageSize(), grid == null ? encoder.featureDim() : grid.depth(),
                    grid == null ? null : grid.height(), grid == null ? null : grid.width(),
                    encoder.card() == null ? null : encoder.card().toJson());
        }
    }
}
