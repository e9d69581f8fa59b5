package dev.captioner.data;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Downloader;
import dev.captioner.util.RemoteFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Fetches a dataset of the {@link DatasetCatalog} into a folder, each archive verified before it
 * takes its final name, so that the folder can be read in place as soon as every archive is
 * there. Run again, it fetches only what is missing and resumes a partial archive.
 */
public final class DatasetDownload {

    private final Downloader downloader;
    private final PrintStream log;
    private final long maxUnpacked;

    /** Largest file unpacked from an archive: 1 GiB, several times Karpathy's largest (dataset_coco.json). */
    public static final long MAX_UNPACKED = 1L << 30;

    /**
     * @param downloader fetches and verifies each archive
     * @param log where sizes and steps are reported
     */
    public DatasetDownload(Downloader downloader, PrintStream log) {
        this(downloader, log, MAX_UNPACKED);
    }

    /**
     * @param downloader fetches and verifies each archive
     * @param log where sizes and steps are reported
     * @param maxUnpacked the largest file unpacked from an archive (an entry that inflates beyond it
     *     is refused, whatever its header says)
     */
    DatasetDownload(Downloader downloader, PrintStream log, long maxUnpacked) {
        this.downloader = downloader;
        this.log = log;
        this.maxUnpacked = maxUnpacked;
    }

    /**
     * @param entry a dataset
     * @param dir its folder
     * @return whether every archive (and unpacked file) of it is in the folder
     */
    public static boolean isComplete(DatasetCatalog.Entry entry, Path dir) {
        if (entry.manual() != null) {
            return false;
        }
        for (RemoteFile f : entry.files()) {
            if (!Files.isRegularFile(dir.resolve(f.fileName()))) {
                return false;
            }
        }
        return entry.unpack().stream().allMatch(n -> Files.isRegularFile(dir.resolve(n)));
    }

    /**
     * Downloads a dataset.
     *
     * @param entry what to fetch
     * @param dir where to put it (created if needed)
     * @param confirmed whether the user agreed to a download over {@link DatasetCatalog#CONFIRM_ABOVE_BYTES}
     * @return {@code dir}
     * @throws CaptionerException for a dataset that must be fetched by hand (saying how), a large
     *     one not confirmed, or when an archive cannot be fetched (offline: one message naming every
     *     address to fetch by hand and the folder to put the files in)
     */
    public Path run(DatasetCatalog.Entry entry, Path dir, boolean confirmed) {
        if (entry.manual() != null) {
            throw new CaptionerException(String.format(entry.manual(), dir.toAbsolutePath()));
        }
        long size = entry.size();
        if (size > DatasetCatalog.CONFIRM_ABOVE_BYTES && !confirmed) {
            throw new CaptionerException(entry.name() + " is " + RemoteFile.humanSize(size) + " in "
                    + entry.files().size() + " archives (" + sizes(entry) + "); pass --yes to download it into "
                    + dir.toAbsolutePath());
        }
        log.println("dataset: " + entry.description() + "; " + entry.files().size() + " file"
                + (entry.files().size() == 1 ? "" : "s") + (size > 0 ? ", " + RemoteFile.humanSize(size) : "")
                + ", into " + dir.toAbsolutePath());
        List<RemoteFile> unreachable = new ArrayList<>();
        for (RemoteFile f : entry.files()) {
            try {
                downloader.fetch(f, dir);
            } catch (Downloader.DownloadFailedException e) {
                if (!e.unreachable()) {
                    throw e;
                }
                unreachable.add(f);
            }
        }
        if (!unreachable.isEmpty()) {
            throw offline(entry, unreachable, dir);
        }
        unpack(entry, dir);
        return dir;
    }

    private static String sizes(DatasetCatalog.Entry entry) {
        return String.join(", ", entry.files().stream().map(f -> f.fileName() + " " + f.humanSize()).toList());
    }

    private static CaptionerException offline(DatasetCatalog.Entry entry, List<RemoteFile> missing, Path dir) {
        List<String> urls = missing.stream().map(f -> f.urls().get(0)).toList();
        return new CaptionerException("cannot reach the download address" + (urls.size() == 1 ? "" : "es")
                + " of " + entry.name() + " (offline, or blocked?): fetch " + String.join(" and ", urls)
                + " by hand and put " + (urls.size() == 1 ? "it" : "them") + " in " + dir.toAbsolutePath()
                + " (keep the archives as they are), or fetch them from a mirror with 'captioner dataset download "
                + entry.name() + " --mirror URL'");
    }

    /** Copies at most {@code limit} bytes; a stream with more (a zip bomb, a lying header) is refused. */
    private static void copyAtMost(InputStream in, java.io.OutputStream out, long limit, String what) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            total += n;
            if (total > limit) {
                throw new IOException(what + " unpacks to more than " + limit + " bytes; refused");
            }
            out.write(buf, 0, n);
        }
    }

    /** Unpacks the named entries of the archives (Karpathy's small JSON files), each atomically. */
    private void unpack(DatasetCatalog.Entry entry, Path dir) {
        for (String name : entry.unpack()) {
            Path target = dir.resolve(name);
            if (Files.isRegularFile(target)) {
                continue;
            }
            boolean found = false;
            for (RemoteFile f : entry.files()) {
                Path archive = dir.resolve(f.fileName());
                try (ZipFile zip = new ZipFile(archive.toFile())) {
                    ZipEntry e = zip.stream().filter(z -> !z.isDirectory() && !z.getName().startsWith("__MACOSX")
                            && (z.getName().equals(name) || z.getName().endsWith("/" + name))).findFirst().orElse(null);
                    if (e == null) {
                        continue;
                    }
                    try (InputStream in = zip.getInputStream(e)) {
                        AtomicFiles.write(target, out -> copyAtMost(in, out, maxUnpacked, archive + ": " + e.getName()));
                    }
                    found = true;
                    log.println("dataset: unpacked " + name);
                    break;
                } catch (IOException ex) {
                    throw new CaptionerException(archive + ": cannot read the archive: " + ex.getMessage(), ex);
                }
            }
            if (!found) {
                throw new CaptionerException(dir + ": no archive of " + entry.name() + " holds " + name);
            }
        }
    }
}
