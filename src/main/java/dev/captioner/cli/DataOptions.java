package dev.captioner.cli;

import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetFormat;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadOptions;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every command that reads a dataset takes. */
public final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Dataset folder, .zip, or Karpathy dataset_*.json.")
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

    /** @return how to read the dataset */
    public LoadOptions loadOptions() {
        return new LoadOptions(format, lenient, seed, splits);
    }

    /** @return the dataset these options name */
    public Dataset load() {
        return DatasetLoader.load(data, loadOptions());
    }

    /** Parses {@code --format}. */
    static final class FormatConverter implements ITypeConverter<DatasetFormat> {
        @Override
        public DatasetFormat convert(String value) {
            return DatasetFormat.parse(value);
        }
    }
}
