package dev.captioner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code captioner} command; it only groups the subcommands. */
@Command(
        name = "captioner",
        mixinStandardHelpOptions = true,
        versionProvider = CaptionerCommand.Version.class,
        description = "Image-caption generator: dataset tools, image features, LSTM and transformer caption models, metrics, plots, server.",
        subcommands = {DatasetCommand.class, EncoderCommand.class, FeaturesCommand.class, TrainCommand.class,
            FinetuneCommand.class,
            EvaluateCommand.class, ScoreCommand.class, CaptionCommand.class, ExploreCommand.class, RunCommand.class,
            DemoCommand.class, ServeCommand.class, WeightsCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class CaptionerCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = CaptionerCommand.class.getResourceAsStream("/dev/captioner/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            String commit = known(p, "commit");
            String dirty = "true".equals(p.getProperty("dirty")) ? ", with uncommitted changes" : "";
            return new String[] {
                "captioner " + known(p, "version") + " (commit " + commit + dirty + ")",
                "DJL " + known(p, "djl") + ", PyTorch " + known(p, "pytorch") + " (CPU, " + known(p, "platform")
                        + "), Java " + System.getProperty("java.version")};
        }

        /** A build property, or "unknown" where the build could not fill it in (no git, say). */
        private static String known(Properties p, String key) {
            String v = p.getProperty(key, "");
            return v.isBlank() || v.startsWith("${") ? "unknown" : v;
        }
    }
}
