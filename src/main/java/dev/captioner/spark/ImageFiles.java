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

/** Image files read with Spark's {@code binaryFile} source, from any file system Spark reaches. */
final class ImageFiles {

    private ImageFiles() {}

    /**
     * @param spark the session
     * @param uri a folder (read recursively) or file
     * @param glob file-name filter, e.g. {@code *.jpg}, or null for every file
     * @param partitions partitions to spread the files over, or 0 to keep Spark's split
     * @return rows {@code (path string, content binary)}
     */
    static Dataset<Row> read(SparkSession spark, String uri, String glob, int partitions) {
        var reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
        if (glob != null) {
            reader = reader.option("pathGlobFilter", glob);
        }
        Dataset<Row> files = reader.load(uri).select("path", "content");
        return partitions > 0 ? files.repartition(partitions) : files;
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
