package dev.captioner.spark;

import dev.captioner.util.CaptionerException;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;

/**
 * Where a model directory or weights file is on every node: a local path present everywhere
 * (or shipped with {@code --files}/{@code --archives} under that name), or a URI (HDFS, S3A, GCS,
 * ...) that the driver adds to the job once, so each executor fetches its own copy.
 */
final class ModelLocation {

    private ModelLocation() {}

    /**
     * Checks on the driver, before any image is read, that the model can be found, and ships a
     * URI to the executors.
     *
     * @param spark the session
     * @param location a path, a shipped name, or a URI
     * @param what "model" or "weights", for the error
     * @return what executors pass to {@link #resolve}
     * @throws CaptionerException naming the location if it cannot be found
     */
    static String prepare(SparkSession spark, String location, String what) {
        URI uri = uriOf(location);
        if (uri != null && uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            try {
                spark.sparkContext().addFile(location, true);
            } catch (RuntimeException e) {
                throw new CaptionerException(location + ": cannot ship the " + what + " to the executors: " + e.getMessage(), e);
            }
            return location;
        }
        if (resolveLocal(location) == null) {
            throw new CaptionerException(location + ": no such " + what + " on the driver; give a path present on "
                    + "every node, ship it with --files/--archives under that name, or give a URI (hdfs://, s3a://, ...)");
        }
        return location;
    }

    /**
     * @param location what {@link #prepare} returned
     * @return the local copy on this node
     * @throws CaptionerException if there is none
     */
    static Path resolve(String location) {
        Path local = resolveLocal(location);
        if (local == null) {
            throw new CaptionerException(location + ": not found on this executor");
        }
        return local;
    }

    private static Path resolveLocal(String location) {
        URI uri = uriOf(location);
        if (uri != null && uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            String path = uri.getPath();
            String name = path.substring(path.replaceAll("/+$", "").lastIndexOf('/') + 1).replaceAll("/+$", "");
            Path shipped = Path.of(SparkFiles.get(name));
            return Files.exists(shipped) ? shipped : null;
        }
        Path p = uri != null && "file".equals(uri.getScheme()) ? Path.of(uri) : Path.of(location);
        if (Files.exists(p)) {
            return p;
        }
        // Shipped with --files/--archives: in the task's working directory or Spark's file root.
        try {
            File root = new File(SparkFiles.getRootDirectory());
            Path shipped = root.toPath().resolve(location);
            return Files.exists(shipped) ? shipped : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static URI uriOf(String location) {
        if (!location.contains(":/")) {
            return null;
        }
        try {
            return URI.create(location);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
