package dev.captioner.options;

import dev.captioner.util.Downloader;
import picocli.CommandLine.Option;

/**
 * {@code --max-download-gb}: the largest file a download accepts. By default a file may be at
 * most twice its catalogued size, so a wrong or hostile server cannot fill the disk; a mirror
 * whose files are packed otherwise can be allowed more. The checksums still apply.
 */
public final class DownloadLimit {

    @Option(names = "--max-download-gb", paramLabel = "GB",
            description = "Largest file accepted, in GB (default: twice the catalogued size).")
    Double maxGb;

    /** @return the downloader's settings with this limit */
    public Downloader.Spec settings() {
        Downloader.Spec d = Downloader.Spec.defaults();
        if (maxGb == null) {
            return d;
        }
        if (!(maxGb > 0 && maxGb <= 1024)) {
            throw new IllegalArgumentException("--max-download-gb must be between 0 and 1024, was " + maxGb);
        }
        return d.withMaxBytes((long) (maxGb * 1e9));
    }
}
