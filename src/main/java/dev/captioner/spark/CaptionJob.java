package dev.captioner.spark;

import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.image.ImageLoader;
import java.io.Serializable;
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
 * Captions image files on a cluster: one row per file with {@code path}, {@code caption},
 * {@code score}, {@code alternatives} (the beam's captions and scores) and {@code error} (null,
 * or the one-line reason a file could not be captioned: a bad file is a row, never a failed
 * task). Each executor loads the model once; each partition is captioned in batches.
 */
public final class CaptionJob {

    /** The output's columns. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("caption", DataTypes.StringType, true)
            .add("score", DataTypes.DoubleType, true)
            .add("alternatives", DataTypes.createArrayType(new StructType()
                    .add("caption", DataTypes.StringType, false)
                    .add("score", DataTypes.DoubleType, false)), true)
            .add("error", DataTypes.StringType, true);

    /**
     * What to caption and how.
     *
     * @param files the image files
     * @param captioner the model and how each executor loads it
     * @param decode the search: beam width, length limit, length penalty, trigram blocking
     * @param batch images per network call
     */
    public record Spec(ImageSelection files, CaptionerSpec captioner, DecodeSpec decode, int batch)
            implements Serializable {

        private static final long serialVersionUID = 1L;
    }

    private CaptionJob() {}

    /**
     * @param spark the session
     * @param s settings
     * @return the captions (lazy: write or collect them)
     */
    public static Dataset<Row> run(SparkSession spark, Spec s) {
        CaptionerSpec c = s.captioner();
        Spec shipped = new Spec(s.files(), c.at(ModelLocation.prepare(spark, c.model(), "model"),
                c.weights() == null ? null : ModelLocation.prepare(spark, c.weights(), "weights")), s.decode(), s.batch());
        ImageSelection f = s.files();
        List<Row> empty = new ArrayList<>();
        for (String path : ImageFiles.emptyFiles(spark, f.images(), f.glob())) {
            empty.add(RowFactory.create(path, null, null, null, path + ": empty file"));
        }
        return ImageFiles.read(spark, f.images(), f.glob(), f.partitions(), ImageLoader.DEFAULT_MAX_BYTES)
                .mapPartitions(new Partition(shipped), Encoders.row(SCHEMA))
                .union(spark.createDataFrame(empty, SCHEMA));
    }

    /** Captions one partition's files, a batch at a time. */
    private static final class Partition implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final Spec s;

        Partition(Spec s) {
            this.s = s;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> files) {
            Captioner captioner = ExecutorModels.captioner(s.captioner());
            ImageLoader loader = new ImageLoader(s.captioner().maxPixels());
            return new Batches<>(files, s.batch(), batch -> caption(captioner, loader, batch));
        }

        private List<Row> caption(Captioner captioner, ImageLoader loader, List<Row> files) {
            PreparedBatch batch = PreparedBatch.of(files, loader, captioner.decodeScale(), captioner::prepare);
            Row[] out = new Row[files.size()];
            for (int i = 0; i < out.length; i++) {
                if (batch.errors()[i] != null) {
                    out[i] = RowFactory.create(batch.paths().get(i), null, null, null, batch.errors()[i]);
                }
            }
            List<List<Caption>> captions = captioner.alternativesOfInputs(batch.inputs(), s.decode());
            for (int j = 0; j < captions.size(); j++) {
                int i = batch.readable().get(j);
                List<Caption> beam = captions.get(j);
                Row[] alternatives = new Row[beam.size()];
                for (int k = 0; k < beam.size(); k++) {
                    alternatives[k] = RowFactory.create(beam.get(k).text(), beam.get(k).score());
                }
                out[i] = RowFactory.create(batch.paths().get(i), beam.get(0).text(), beam.get(0).score(), alternatives,
                        null);
            }
            return List.of(out);
        }
    }
}
