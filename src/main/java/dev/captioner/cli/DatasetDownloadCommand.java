package dev.captioner.cli;

import dev.captioner.data.DatasetCatalog;
import dev.captioner.data.DatasetDownload;
import dev.captioner.util.CaptionerHome;
import dev.captioner.util.Downloader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code captioner dataset download}: fetches a known dataset, verified, into captioner's home. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a dataset, verified against its published checksums, and keep its archives as they "
                + "are (captioner reads them in place). Interrupted downloads resume.",
            "NAME: flickr8k (about 1.1 GB), karpathy (the split files), coco2014 (19 GB; needs --yes), "
                + "flickr30k (explains how to get it)."})
public final class DatasetDownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "flickr8k, karpathy, coco2014 or flickr30k.")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder to put it in (default: $CAPTIONER_HOME/datasets/NAME).")
    Path out;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "Fetch the archives from this base address instead (it must serve identical bytes: the "
                    + "checksums still apply).")
    String mirror;

    @picocli.CommandLine.Mixin
    dev.captioner.options.DownloadLimit limit;

    @Option(names = "--yes", description = "Agree to a download over 5 GB.")
    boolean yes;

    @Override
    public Integer call() {
        DatasetCatalog.Entry entry = DatasetCatalog.find(name).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "unknown dataset '" + name + "' (expected one of " + String.join(", ",
                        DatasetCatalog.all().stream().map(DatasetCatalog.Entry::name).toList()) + ")"));
        if (mirror != null) {
            entry = entry.fromMirror(mirror);
        }
        Path dir = out != null ? out : CaptionerHome.dataset(entry.name());
        PrintStream log = CommandLog.of(spec);
        boolean already = DatasetDownload.isComplete(entry, dir);
        new DatasetDownload(new Downloader(log, dev.captioner.options.Checked.of(spec, limit::settings)), log)
                .run(entry, dir, yes);
        spec.commandLine().getOut().println((already ? "already downloaded: " : "downloaded ") + entry.name() + " in "
                + dir.toAbsolutePath() + "; use it with --data " + (out != null ? dir : entry.name()));
        return 0;
    }
}
