package dev.captioner.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under a scheme of its own ({@code shiptest:///path}), so that tests see a model
 * given as a URI shipped to the executors the way an {@code hdfs://} or {@code s3a://} one is,
 * rather than read in place as a {@code file:} path is.
 */
public final class ShipTestFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "shiptest";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
