package dev.captioner.spark;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/** Image files read with Spark's {@code binaryFile} source, from any file system Spark reaches. */
final class ImageFiles {

    private ImageFiles() {}

    /**
     * Reads the files, never one larger than {@code maxBytes}: the filter on {@code length} is
     * pushed down to the file source, which skips such a file before reading it, so a file of
     * gigabytes (over Spark's 2 GiB limit for a binary value, too) costs nothing and fails no
     * task. It comes back as a row with a null {@code content} and its length, for the job to
     * report.
     *
     * @param spark the session
     * @param uri a folder (read recursively) or file
     * @param glob file-name filter, e.g. {@code *.jpg}, or null for every file
     * @param partitions partitions to spread the files over, or 0 to keep Spark's split
     * @param maxBytes the largest file read
     * @return rows {@code (path string, content binary or null, length long)}
     */
    static Dataset<Row> read(SparkSession spark, String uri, String glob, int partitions, long maxBytes) {
        var reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
        if (glob != null) {
            reader = reader.option("pathGlobFilter", glob);
        }
        Dataset<Row> all = reader.load(uri);
        Dataset<Row> fit = all.where(functions.col("length").leq(maxBytes)).select("path", "content", "length");
        // Without the content column the source reads no bytes of these files.
        Dataset<Row> over = all.where(functions.col("length").gt(maxBytes)).select(functions.col("path"),
                functions.lit(null).cast(DataTypes.BinaryType).as("content"), functions.col("length"));
        Dataset<Row> files = fit.unionByName(over);
        return partitions > 0 ? files.repartition(partitions) : files;
    }

    /**
     * @param row a row of {@link #read}
     * @param maxBytes the limit it was read with
     * @return the reason it was not read, or null if its content is there
     */
    static String tooLarge(Row row, long maxBytes) {
        if (!row.isNullAt(1)) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "%s: file of %d bytes, larger than the limit of %d bytes",
                row.getString(0), row.getLong(2), maxBytes);
    }

    /**
     * Spark's file sources skip zero-length files; captioner reports them. Lists the input with
     * Hadoop's file system API (on the driver: names only) and keeps the empty files that the
     * glob would have read.
     *
     * @param spark the session
     * @param uri a folder (read recursively) or file
     * @param glob file-name filter, or null
     * @return the empty files' paths, in the form Spark gives paths
     */
    static List<String> emptyFiles(SparkSession spark, String uri, String glob) {
        List<String> empty = new ArrayList<>();
        try {
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                return empty;
            }
            GlobPattern pattern = glob == null ? null : new GlobPattern(glob);
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                if (f.getLen() == 0 && (pattern == null || pattern.matches(f.getPath().getName()))) {
                    empty.add(f.getPath().toString());
                }
            }
        } catch (IOException e) {
            throw new CaptionerException(uri + ": cannot list the images: " + e.getMessage(), e);
        }
        return empty;
    }

    /**
     * @param path a file's full path as Spark gives it
     * @return its name without folders
     */
    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
