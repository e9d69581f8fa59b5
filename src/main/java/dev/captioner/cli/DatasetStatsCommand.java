package dev.captioner.cli;

import dev.captioner.options.DataOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.options.CaptionCleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetStats;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captioner dataset stats}: counts images, captions, words and lengths. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Print statistics of a dataset: images, captions, splits, vocabulary, lengths, top words.")
public final class DatasetStatsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    CaptionCleaning captionCleaning;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        DatasetStats stats;
        String location;
        String format;
        try (Dataset dataset = data.load()) {
            stats = DatasetStats.compute(dataset, captionCleaning.cleaning());
            location = dataset.location();
            format = dataset.format().id();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(stats));
        } else {
            printTable(out, location, format, stats);
        }
        return 0;
    }

    private void printTable(PrintWriter out, String location, String format, DatasetStats s) {
        String row = "%-16s %s%n";
        out.printf(row, "dataset", location + " (" + format + ", cleaning " + captionCleaning.cleaning().id() + ")");
        out.printf(row, "images", s.images() + (s.imagesMissing() > 0 ? " (" + s.imagesMissing() + " missing)" : ""));
        out.printf(row, "captions", s.captions() + (s.skippedLines() > 0 ? " (" + s.skippedLines() + " malformed lines skipped)" : ""));
        out.printf(row, "splits", s.splits().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        out.printf(row, "words", s.words());
        out.printf(row, "vocabulary size", s.vocabularySize() + " (train split: " + s.trainVocabularySize() + ")");
        out.printf(row, "caption length", String.format(Locale.ROOT, "max %d, mean %.2f tokens (markers included)",
                s.maxLength(), s.meanLength()));
        out.printf(row, "top words", s.topWords().stream().limit(10)
                .map(w -> w.word() + " " + w.count()).collect(Collectors.joining(", ")));
    }
}
