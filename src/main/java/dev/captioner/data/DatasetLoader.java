package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Opens a dataset given as a folder, a zip archive, Flickr8k's two zips side by side, or a
 * Karpathy JSON file; detects its layout unless one is given; reads captions and split.
 */
public final class DatasetLoader {

    private static final Map<DatasetFormat, FormatReader> READERS = new LinkedHashMap<>();

    static {
        // Detection order: Flickr8k's official layout first, since Kaggle-style copies of it
        // often carry a captions.txt too.
        READERS.put(DatasetFormat.FLICKR8K, new Flickr8kReader());
        READERS.put(DatasetFormat.FLICKR8K_KAGGLE, new KaggleFlickr8kReader());
        READERS.put(DatasetFormat.FLICKR30K, new Flickr30kReader());
        READERS.put(DatasetFormat.COCO, new CocoReader());
        READERS.put(DatasetFormat.KARPATHY, new KarpathyReader());
    }

    private static final String TEXT_ZIP = "Flickr8k_text.zip";
    private static final String IMAGES_ZIP = "Flickr8k_Dataset.zip";

    private DatasetLoader() {}

    /**
     * Loads a dataset.
     *
     * @param data a folder, a {@code .zip}, or a Karpathy {@code dataset_*.json}
     * @param options format, leniency, split seed and split override
     * @return the dataset; close it to release open archives
     * @throws CaptionerException if the data cannot be found or parsed
     */
    public static Dataset load(Path data, LoadSpec options) {
        if (!Files.exists(data)) {
            throw new CaptionerException(data + ": no such file or directory");
        }
        String hint = null;
        DataSource source;
        try {
            if (Files.isDirectory(data)) {
                source = folder(data);
            } else if (data.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
                source = zips(data);
            } else if (data.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                Path parent = data.toAbsolutePath().getParent();
                source = new FolderSource(parent);
                hint = data.getFileName().toString();
            } else {
                throw new CaptionerException(data + ": not a dataset folder, .zip or Karpathy .json file");
            }
        } catch (IOException e) {
            throw new CaptionerException(data + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return read(source, data.toString(), hint, options);
        } catch (RuntimeException e) {
            try {
                source.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Official archives read in place when the folder they unpack to is not beside them (as
     * {@code captioner dataset download} leaves them): archive name → the folders it holds.
     */
    private static final Map<String, List<String>> IN_PLACE = new LinkedHashMap<>();

    static {
        IN_PLACE.put(TEXT_ZIP, List.of("Flickr8k_text"));
        IN_PLACE.put(IMAGES_ZIP, List.of("Flicker8k_Dataset", "Flickr8k_Dataset"));
        IN_PLACE.put("annotations_trainval2014.zip", List.of("annotations"));
        IN_PLACE.put("train2014.zip", List.of("train2014"));
        IN_PLACE.put("val2014.zip", List.of("val2014"));
    }

    private static DataSource folder(Path dir) throws IOException {
        FolderSource folder = new FolderSource(dir);
        List<DataSource> layers = new ArrayList<>(List.of(folder));
        try {
            for (Map.Entry<String, List<String>> archive : IN_PLACE.entrySet()) {
                if (folder.isFile(archive.getKey()) && archive.getValue().stream().noneMatch(folder::isDirectory)) {
                    layers.add(new ZipSource(dir.resolve(archive.getKey())));
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(layers, e);
            throw e;
        }
        return layers.size() == 1 ? folder : new OverlaySource(layers);
    }

    private static DataSource zips(Path zip) throws IOException {
        String name = zip.getFileName().toString();
        Path dir = zip.toAbsolutePath().getParent();
        String sibling = name.equals(TEXT_ZIP) ? IMAGES_ZIP : name.equals(IMAGES_ZIP) ? TEXT_ZIP : null;
        ZipSource first = new ZipSource(zip);
        if (sibling != null && Files.isRegularFile(dir.resolve(sibling))) {
            try {
                return new OverlaySource(List.of(first, new ZipSource(dir.resolve(sibling))));
            } catch (IOException | RuntimeException e) {
                closeAll(List.of(first), e);
                throw e;
            }
        }
        return first;
    }

    /** Closes sources opened before a later one failed, keeping the failure as the error. */
    private static void closeAll(List<DataSource> opened, Exception failure) {
        for (DataSource s : opened) {
            try {
                s.close();
            } catch (IOException suppressed) {
                failure.addSuppressed(suppressed);
            }
        }
    }

    private static Dataset read(DataSource root, String location, String hint, LoadSpec options) {
        DataSource source = root;
        DatasetFormat format = options.format() != null ? options.format() : detect(source, hint);
        if (format == null) {
            // An archive or folder that wraps everything in one top-level folder.
            Set<String> dirs = source.listDirectories("");
            if (dirs.size() == 1 && source.list("").isEmpty()) {
                source = new SubdirectorySource(source, dirs.iterator().next());
                format = detect(source, hint);
            }
        }
        if (format == null) {
            throw new CaptionerException(location + ": no dataset found (looked for "
                    + READERS.values().stream().map(FormatReader::expects).collect(Collectors.joining(", "))
                    + "); name the layout with --format");
        }
        FormatReader reader = READERS.get(format);
        if (options.format() != null && !reader.detect(source, hint)) {
            throw new CaptionerException(location + ": --format " + format.id() + " expects " + reader.expects());
        }
        FormatReader.Result result = reader.read(source, hint, options);
        Map<String, Split> splits = result.splits();
        if (options.splitsDir() != null) {
            splits = splitOverride(options.splitsDir());
        }
        CaptionTable table = result.table();
        if (splits == null) {
            splits = RandomSplit.assign(table.entries().keySet(), options.seed());
        }
        List<ImageRecord> images = new ArrayList<>(table.entries().size());
        for (Map.Entry<String, CaptionTable.Entry> e : table.entries().entrySet()) {
            CaptionTable.Entry entry = e.getValue();
            images.add(new ImageRecord(e.getKey(), entry.path, splits.get(e.getKey()), entry.captions,
                    source.isFile(entry.path)));
        }
        return new Dataset(source, location, format, images, table.lines(), table.skipped());
    }

    private static DatasetFormat detect(DataSource source, String hint) {
        if (hint != null) {
            return READERS.get(DatasetFormat.KARPATHY).detect(source, hint) ? DatasetFormat.KARPATHY : null;
        }
        for (Map.Entry<DatasetFormat, FormatReader> e : READERS.entrySet()) {
            if (e.getValue().detect(source, null)) {
                return e.getKey();
            }
        }
        return null;
    }

    private static Map<String, Split> splitOverride(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CaptionerException(dir + ": --splits must be a folder of split lists");
        }
        try (FolderSource lists = new FolderSource(dir)) {
            Map<String, Split> splits = SplitLists.read(lists, "");
            if (splits == null) {
                throw new CaptionerException(dir + ": no split lists (expected Flickr_8k.trainImages.txt, "
                        + "Flickr_8k.devImages.txt, Flickr_8k.testImages.txt)");
            }
            return splits;
        }
    }
}
