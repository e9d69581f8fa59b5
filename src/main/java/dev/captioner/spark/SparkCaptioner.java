package dev.captioner.spark;

import dev.captioner.decode.DecodeSpec;
import dev.captioner.options.BeamWidth;
import dev.captioner.options.SearchOptions;
import dev.captioner.options.EncoderChoice;
import dev.captioner.options.ExactDecode;
import dev.captioner.options.ModelChoice;
import dev.captioner.options.ModelWeights;
import dev.captioner.options.PixelLimit;
import dev.captioner.options.Checked;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.CommandLineErrors;
import dev.captioner.util.NativeAllocator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * captioner as a Spark application: the same jar as the command line, handed to
 * {@code spark-submit --class dev.captioner.spark.SparkCaptioner captioner.jar caption|features|import ...}.
 * Same conventions as {@code captioner}: {@code --help}, exit status 1 with a one-line error for
 * bad input, 2 for a wrong command line, stack traces only with {@code --debug}.
 */
@Command(name = "SparkCaptioner", mixinStandardHelpOptions = true,
        description = "captioner on Apache Spark: caption or featurise images wherever Spark reads them.",
        subcommands = {SparkCaptioner.Caption.class, SparkCaptioner.Features.class, SparkCaptioner.Import.class,
            SparkBench.class})
public final class SparkCaptioner implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    /** Runs a subcommand and exits with its status. */
    public static void main(String[] args) {
        NativeAllocator.tune();
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs without exiting; what tests call. Uses the active Spark session if there is one.
     *
     * @param out standard output
     * @param err standard error
     * @param args command-line arguments
     * @return the exit status
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = CommandLineErrors.install(new CommandLine(new SparkCaptioner()));
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** The session spark-submit configured (or the one a test made). */
    static SparkSession session() {
        return SparkSession.builder().appName("captioner").getOrCreate();
    }

    /** Options that say where output goes. */
    static final class Output {
        @Option(names = "--out", required = true, paramLabel = "URI", description = "Output folder.")
        String out;

        @Option(names = "--format", defaultValue = "parquet", paramLabel = "F",
                description = "parquet or json (JSON lines) (default: ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--overwrite", description = "Replace an existing output (refused otherwise).")
        boolean overwrite;

        /** Refuses an existing output before any work is done, unless {@code --overwrite}. */
        void check(SparkSession spark) {
            if (overwrite) {
                return;
            }
            try {
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
                if (p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
                    throw new CaptionerException(out + ": the output already exists; pass --overwrite to replace it");
                }
            } catch (java.io.IOException e) {
                throw new CaptionerException(out + ": cannot check the output: " + e.getMessage(), e);
            }
        }

        /** Writes the rows and says how many files there were and how many failed. */
        void write(SparkSession spark, Dataset<Row> rows, CommandSpec spec, String verb) {
            String f = format.toLowerCase(Locale.ROOT);
            if (!f.equals("parquet") && !f.equals("json")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format must be parquet or json, was " + format);
            }
            // JSON lines keep their null fields, so every line has every column (error: null).
            rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).format(f)
                    .option("ignoreNullFields", "false").save(out);
            Dataset<Row> written = spark.read().format(f).load(out);
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "%s %d files (%d with errors, listed in the output's 'error' column)%n", verb, written.count(),
                    written.where("error IS NOT NULL").count());
        }
    }

    /** Options shared by the jobs that read images. */
    static final class Images {
        @Option(names = "--images", required = true, paramLabel = "URI",
                description = "Folder (read recursively) or file, on any file system Spark reaches.")
        String images;

        @Option(names = "--glob", paramLabel = "PATTERN", description = "File-name filter, e.g. '*.jpg' (default: every file).")
        String glob;

        @Option(names = "--batch", defaultValue = "16", paramLabel = "N",
                description = "Images per batch of a partition (default: ${DEFAULT-VALUE}); 'features' runs the network "
                        + "on each batch at once, 'caption' the caption search (it encodes with VGG16 one image at a "
                        + "time, faster on CPUs).")
        int batch;

        @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
                description = "Spread the files over N partitions (default: Spark's split).")
        int partitions;

        @CommandLine.Mixin
        PixelLimit pixels = new PixelLimit();

        void check(CommandSpec spec) {
            if (batch < 1 || batch > 1024 || partitions < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--batch must be 1 to 1024 and --partitions not negative");
            }
        }

        ImageSelection selection() {
            return new ImageSelection(images, glob, partitions);
        }

        long maxPixels(CommandSpec spec) {
            return Checked.of(spec, pixels::maxPixels);
        }
    }

    /** {@code caption}: one row per image file. */
    @Command(name = "caption", mixinStandardHelpOptions = true,
            description = "Caption image files: rows (path, caption, score, alternatives, error).")
    static final class Caption implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Images images = new Images();

        @CommandLine.Mixin
        Output output = new Output();

        @CommandLine.Mixin
        ModelChoice model = new ModelChoice();

        @CommandLine.Mixin
        ModelWeights weights = new ModelWeights();

        @CommandLine.Mixin
        BeamWidth beam = new BeamWidth();

        @CommandLine.Mixin
        SearchOptions search = new SearchOptions();

        @CommandLine.Mixin
        ExactDecode decode = new ExactDecode();

        @Override
        public Integer call() {
            images.check(spec);
            DecodeSpec d = Checked.of(spec, () -> search.decode(beam.beamFor(model.modelPath())));
            long maxPixels = images.maxPixels(spec);
            CaptionerSpec captioner = Checked.of(spec, () -> new CaptionerSpec(model.model(), weights.weights(),
                    model.variant(), maxPixels, decode.exact(), weights.trustModelPaths()));
            SparkSession spark = session();
            output.check(spark);
            Dataset<Row> rows = CaptionJob.run(spark, new CaptionJob.Spec(images.selection(), captioner, d,
                    images.batch));
            output.write(spark, rows, spec, "captioned");
            return 0;
        }
    }

    /** {@code features}: one feature row per image file. */
    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Image features as Parquet rows (name, path, features, error, encoder, ...); 'import' makes "
                    + "the HDF5 store that 'captioner train' reads.")
    static final class Features implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        Images images = new Images();

        @CommandLine.Mixin
        Output output = new Output();

        @CommandLine.Mixin
        EncoderChoice encoder = new EncoderChoice();

        @Override
        public Integer call() {
            images.check(spec);
            long maxPixels = images.maxPixels(spec);
            SparkSession spark = session();
            output.check(spark);
            dev.captioner.vision.EncoderCard card = encoder.card();
            Dataset<Row> rows = FeatureJob.run(spark, new FeatureJob.Spec(images.selection(),
                    new EncoderSpec(encoder.encoder(), encoder.weights(), encoder.grid(), card == null ? null : card.toJson()),
                    images.batch, maxPixels));
            output.write(spark, rows, spec, "featurised");
            return 0;
        }
    }

    /** {@code import}: Parquet feature rows into the HDF5 feature store. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Stream the rows 'features' wrote into the HDF5 feature store 'captioner train' reads.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--parquet", required = true, paramLabel = "URI", description = "The table 'features' wrote.")
        String parquet;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "HDF5 file to write (on the driver).")
        Path out;

        @Override
        public Integer call() {
            ImportJob.Result r = ImportJob.run(session(), parquet, out);
            spec.commandLine().getOut().printf(Locale.ROOT, "imported %d feature rows into %s (%d rows with errors left out)%n",
                    r.rows(), out, r.skipped());
            return 0;
        }
    }
}
