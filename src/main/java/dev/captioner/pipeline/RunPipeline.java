package dev.captioner.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.DatasetStats;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.decode.DecodeOptions;
import dev.captioner.eval.Evaluation;
import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.eval.Scoring;
import dev.captioner.features.FeatureExtractor;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.CaptionTrainer;
import dev.captioner.model.EpochRecord;
import dev.captioner.model.ModelConfig;
import dev.captioner.plot.EvalPlots;
import dev.captioner.plot.Explore;
import dev.captioner.plot.HtmlReport;
import dev.captioner.plot.ReportData;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.FileTrees;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.ImageEncoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The seed's whole pipeline: stats → features → explore → train → evaluate (greedy and beam) →
 * report, each stage writing into the run folder. A re-run skips every stage whose outputs exist
 * and were made from the same inputs and settings; an interrupted feature extraction or training
 * continues where it stopped.
 */
public final class RunPipeline {

    /** Folder layout of a run. */
    public static final String STATS = "stats.json";
    /** Feature file of the run. */
    public static final String FEATURES = "features.h5";
    /** Exploratory plots. */
    public static final String EXPLORE = "explore";
    /** Model directory. */
    public static final String MODEL = "model";
    /** Evaluations. */
    public static final String EVAL = "eval";
    /** The report. */
    public static final String REPORT = "report";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What a run produced.
     *
     * @param report the report page
     * @param greedy greedy scores
     * @param beam beam scores
     * @param predictions greedy predictions on the test split
     * @param beamCaptions beam caption per test image
     * @param stagesRun stages that ran (the others were up to date)
     */
    public record Result(Path report, Metrics greedy, Metrics beam, List<Prediction> predictions,
            Map<String, String> beamCaptions, List<String> stagesRun) {}

    private final PrintStream log;

    /** @param log where stage lines and progress go */
    public RunPipeline(PrintStream log) {
        this.log = log;
    }

    /**
     * Runs (or resumes) the pipeline.
     *
     * @param s settings
     * @return scores and the report's path
     */
    public Result run(RunSettings s) throws IOException {
        Path out = s.out();
        Files.createDirectories(out);
        StageStamps stamps = new StageStamps(out);
        List<String> ran = new java.util.ArrayList<>();
        try (Dataset dataset = DatasetLoader.load(s.data(), s.load())) {
            String dataKey = StageStamps.key("data", fingerprint(dataset), s.model().cleaning());

            DatasetStats stats = DatasetStats.compute(dataset, s.model().cleaning());
            if (!stamps.done("stats", dataKey)) {
                stage("stats");
                AtomicFiles.write(out.resolve(STATS), JSON.writeValueAsBytes(stats));
                stamps.mark("stats", dataKey);
                ran.add("stats");
            }

            String featuresKey = StageStamps.key("features", dataKey, s.encoder(), weightsIdentity(s.weights()));
            Path featureFile = out.resolve(FEATURES);
            if (!stamps.done("features", featuresKey) || !Files.isRegularFile(featureFile)) {
                stage("features (" + s.encoder() + ")");
                List<ImageRecord> images = dataset.images().stream().filter(r -> r.split() != null && r.present()).toList();
                try (ImageEncoder enc = Encoders.open(s.encoder(), s.weights())) {
                    FeatureExtractor.Result r = new FeatureExtractor(log).extract(dataset, images, enc, featureFile,
                            new FeatureExtractor.Options(s.featureBatch(), Runtime.getRuntime().availableProcessors(),
                                    dev.captioner.vision.ImageLoader.DEFAULT_MAX_PIXELS));
                    if (!r.failures().isEmpty()) {
                        log.println("run: " + r.failures().size() + " images could not be encoded and are left out");
                    }
                }
                stamps.mark("features", featuresKey);
                ran.add("features");
            }
            FeatureSet features = FeatureStore.read(featureFile);

            String exploreKey = StageStamps.key("explore", featuresKey, s.clusters(), s.train().seed());
            if (!stamps.done("explore", exploreKey)) {
                stage("explore");
                Explore.run(dataset, s.model().cleaning(), features, s.clusters(), s.train().seed(), out.resolve(EXPLORE));
                stamps.mark("explore", exploreKey);
                ran.add("explore");
            }

            String trainKey = StageStamps.key("train", featuresKey, s.model(), s.train());
            Path modelDir = out.resolve(MODEL);
            if (!stamps.done("train", trainKey) || !Files.isRegularFile(modelDir.resolve(ModelConfig.FILE))) {
                stage("train");
                boolean resume = Files.isRegularFile(modelDir.resolve(CaptionTrainer.TRAINING_DIR).resolve("state.json"))
                        && stamps.done("train-started", trainKey);
                if (!resume) {
                    FileTrees.delete(modelDir);
                }
                stamps.mark("train-started", trainKey);
                new CaptionTrainer(log).train(dataset, features, modelDir, s.model(), s.train(), resume);
                stamps.mark("train", trainKey);
                ran.add("train");
            }

            Metrics greedy;
            Metrics beam;
            List<Prediction> predictions;
            Map<String, String> beamCaptions = new LinkedHashMap<>();
            String evalKey = StageStamps.key("evaluate", trainKey, s.beam());
            Path evalDir = out.resolve(EVAL);
            try (CaptionModel model = CaptionModel.load(modelDir)) {
                Path greedyDir = evalDir.resolve("greedy");
                Path beamDir = evalDir.resolve("beam" + s.beam());
                if (!stamps.done("evaluate", evalKey)) {
                    stage("evaluate (greedy and beam " + s.beam() + ")");
                    Scoring.Result g = Evaluation.run(model, dataset, features, Split.TEST, DecodeOptions.greedy());
                    Scoring.Result b = Evaluation.run(model, dataset, features, Split.TEST, DecodeOptions.beam(s.beam()));
                    save(greedyDir, g);
                    save(beamDir, b);
                    EvalPlots.write(dataset, g.predictions(), evalDir);
                    stamps.mark("evaluate", evalKey);
                    ran.add("evaluate");
                }
                greedy = JSON.readValue(greedyDir.resolve("metrics.json").toFile(), Metrics.class);
                beam = JSON.readValue(beamDir.resolve("metrics.json").toFile(), Metrics.class);
                predictions = readPredictions(greedyDir.resolve("predictions.jsonl"));
                for (Prediction p : readPredictions(beamDir.resolve("predictions.jsonl"))) {
                    beamCaptions.put(p.image(), p.caption());
                }

                String reportKey = StageStamps.key("report", evalKey, exploreKey, dataKey);
                Path index = out.resolve(REPORT).resolve(HtmlReport.INDEX);
                if (!stamps.done("report", reportKey) || !Files.isRegularFile(index)) {
                    stage("report");
                    List<EpochRecord> history = List.of(JSON.readValue(modelDir.resolve(CaptionTrainer.HISTORY).toFile(),
                            EpochRecord[].class));
                    Map<String, Path> plots = new LinkedHashMap<>();
                    plots.put("Sample images and their captions", out.resolve(EXPLORE).resolve(Explore.SAMPLES));
                    plots.put("The 50 most frequent words", out.resolve(EXPLORE).resolve(Explore.TOP_WORDS));
                    plots.put("Caption lengths", out.resolve(EXPLORE).resolve(Explore.LENGTHS));
                    plots.put("Image features projected with PCA, coloured by k-means cluster",
                            out.resolve(EXPLORE).resolve(Explore.PCA));
                    plots.put("Similar images: examples of each cluster", out.resolve(EXPLORE).resolve(Explore.CLUSTERS));
                    plots.put("Training and dev loss", modelDir.resolve(CaptionTrainer.LOSS_PNG));
                    plots.put("Generated captions on test images", evalDir.resolve(EvalPlots.PREDICTIONS));
                    plots.put("Best and worst test images by sentence BLEU-4", evalDir.resolve(EvalPlots.BEST_WORST));
                    ReportData data = new ReportData("captioner report: " + dataset.format().id() + " with "
                            + model.config().encoder().name(), dataset.location(), dataset.format().id(), stats,
                            model.config(), s.train(), history, List.of(greedy, beam), predictions, beamCaptions, plots);
                    HtmlReport.write(data, dataset, out.resolve(REPORT));
                    stamps.mark("report", reportKey);
                    ran.add("report");
                }
                return new Result(index, greedy, beam, predictions, beamCaptions, ran);
            }
        }
    }

    private void stage(String name) {
        log.println("run: " + name);
    }

    private static void save(Path dir, Scoring.Result r) throws IOException {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        for (Prediction p : r.predictions()) {
            sb.append(new ObjectMapper().writeValueAsString(p)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("predictions.jsonl"), sb.toString());
        AtomicFiles.write(dir.resolve("metrics.json"), JSON.writeValueAsBytes(r.metrics()));
    }

    private static List<Prediction> readPredictions(Path file) throws IOException {
        List<Prediction> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(JSON.readValue(line, Prediction.class));
            }
        }
        return out;
    }

    /** A digest of the dataset's images, splits and captions. */
    static String fingerprint(Dataset dataset) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (ImageRecord r : dataset.images()) {
                md.update(r.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) (r.split() == null ? 9 : r.split().ordinal()));
                md.update((byte) (r.present() ? 1 : 0));
                for (String c : r.captions()) {
                    md.update(c.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Path, size and modification time: cheap, and changes when the weights do. */
    private static String weightsIdentity(Path weights) throws IOException {
        if (weights == null) {
            return "default";
        }
        if (!Files.exists(weights)) {
            throw new CaptionerException(weights + ": no such weights file");
        }
        StringBuilder sb = new StringBuilder(weights.toAbsolutePath().normalize().toString());
        try (Stream<Path> s = Files.isDirectory(weights) ? Files.list(weights) : Stream.of(weights)) {
            for (Path p : s.sorted().toList()) {
                sb.append('|').append(p.getFileName()).append(':').append(Files.size(p)).append(':')
                        .append(Files.getLastModifiedTime(p).toMillis());
            }
        }
        return sb.toString();
    }

}
