package dev.captioner.options;

import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetCatalog;
import dev.captioner.data.DatasetDownload;
import dev.captioner.data.DatasetFormat;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.CaptionerHome;
import dev.captioner.util.Downloader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every command that reads a dataset takes. */
public final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Dataset folder, .zip, or Karpathy dataset_*.json; or the name of a dataset fetched with "
                    + "'captioner dataset download' (flickr8k, karpathy, coco2014).")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = "Dataset layout: flickr8k, flickr8k-kaggle, flickr30k, karpathy, coco (default: detect).")
    DatasetFormat format;

    @Option(names = "--lenient", description = "Skip malformed caption lines (and count them) instead of failing.")
    boolean lenient;

    @Option(names = "--splits", paramLabel = "DIR",
            description = "Folder of Flickr8k split lists to use instead of the dataset's own split.")
    Path splits;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of the random split of datasets without split lists (default: ${DEFAULT-VALUE}).")
    long seed;

    /** @return {@code --data} as given: a path, or the name of a known dataset */
    public Path data() {
        return data;
    }

    /** @return the seed of the random split ({@code --seed}), which runs also train with */
    public long seed() {
        return seed;
    }

    /** @return how to read the dataset */
    public LoadSpec loadOptions() {
        return new LoadSpec(format, lenient, seed, splits);
    }

    /** @return the dataset these options name */
    public Dataset load() {
        return DatasetLoader.load(path(), loadOptions());
    }

    /**
     * @return the dataset's path: {@code --data} itself, or for the name of a known dataset that
     *     is no path here, its folder under {@code $CAPTIONER_HOME/datasets}
     * @throws CaptionerException offering the download command if that dataset is not there yet
     */
    public Path path() {
        DatasetCatalog.Entry entry = named();
        if (entry == null) {
            return data;
        }
        Path dir = CaptionerHome.dataset(entry.name());
        if (!DatasetDownload.isComplete(entry, dir)) {
            if (entry.manual() != null) {
                throw new CaptionerException(String.format(entry.manual(), dir.toAbsolutePath()));
            }
            throw new CaptionerException("the " + entry.name() + " dataset is not in " + dir + " yet: run 'captioner "
                    + "dataset download " + entry.name() + "' first, or pass --data PATH");
        }
        return dir;
    }

    /**
     * Like {@link #path()}, but fetches a known dataset that is not downloaded yet: what
     * {@code captioner run --data flickr8k} does.
     *
     * @param log where the download reports
     * @return the dataset's path
     */
    public Path pathDownloading(PrintStream log) {
        DatasetCatalog.Entry entry = named();
        if (entry == null) {
            return data;
        }
        Path dir = CaptionerHome.dataset(entry.name());
        if (!DatasetDownload.isComplete(entry, dir)) {
            new DatasetDownload(new Downloader(log), log).run(entry, dir, false);
        }
        return dir;
    }

    /** @return the catalog entry {@code --data} names, if it is a bare name and no path here */
    private DatasetCatalog.Entry named() {
        if (Files.exists(data) || data.getNameCount() != 1) {
            return null;
        }
        return DatasetCatalog.find(data.toString()).orElse(null);
    }

    /** Parses {@code --format}. */
    static final class FormatConverter implements ITypeConverter<DatasetFormat> {
        @Override
        public DatasetFormat convert(String value) {
            return DatasetFormat.parse(value);
        }
    }
}
