package dev.captioner.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.DatasetStats;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.Split;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.eval.Evaluation;
import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.eval.Scoring;
import dev.captioner.features.FeatureExtractor;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.CaptionModel;
import dev.captioner.train.CaptionTrainer;
import dev.captioner.model.EpochRecord;
import dev.captioner.model.ModelDirectory;
import dev.captioner.train.SelfCriticalTrainer;
import dev.captioner.plot.AttentionExamples;
import dev.captioner.plot.EvalPlots;
import dev.captioner.plot.Explore;
import dev.captioner.plot.FinetuneChart;
import dev.captioner.plot.HtmlReport;
import dev.captioner.plot.LossChart;
import dev.captioner.plot.ReportData;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Downloader;
import dev.captioner.util.EngineThreads;
import dev.captioner.util.FileTrees;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Keras tutorial's whole pipeline: stats → features → explore → train → evaluate (greedy and beam) →
 * report, each stage writing into the run folder. A re-run skips every stage whose outputs exist
 * and were made from the same inputs and settings; an interrupted feature extraction or training
 * continues where it stopped.
 */
public final class RunPipeline {

    /** Folder layout of a run. */
    public static final String STATS = "stats.json";
    /** Feature file of the run. */
    public static final String FEATURES = "features.h5";
    /** Grid feature file of a run with an attention model. */
    public static final String GRID_FEATURES = "grid_features.h5";
    /** Exploratory plots. */
    public static final String EXPLORE = "explore";
    /** Model directory. */
    public static final String MODEL = "model";
    /** Evaluations. */
    public static final String EVAL = "eval";
    /** The self-critically fine-tuned model directory. */
    public static final String FINETUNED = "model-finetuned";
    /** Evaluations of the fine-tuned model. */
    public static final String EVAL_FINETUNED = "eval-finetuned";
    /** The report. */
    public static final String REPORT = "report";

    /** How many test images the report shows attention pictures of. */
    private static final int ATTENTION_EXAMPLES = 4;
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
     * @param finetuned greedy and beam scores of the fine-tuned model (empty without fine-tuning)
     */
    public record Result(Path report, Metrics greedy, Metrics beam, List<Prediction> predictions,
            Map<String, String> beamCaptions, List<String> stagesRun, List<Metrics> finetuned) {}

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
    public Result run(RunSpec s) throws IOException {
        Files.createDirectories(s.out());
        try (Dataset dataset = DatasetLoader.load(s.data(), s.load())) {
            Stages stages = new Stages(s, dataset);
            stages.stats();
            Keyed<FeatureSet> features = stages.features();
            String explored = stages.explore(features);
            Keyed<Path> trained = stages.train(features);
            Keyed<Path> finetuned = stages.finetune(trained, features.value());
            try (CaptionModel model = CaptionModel.load(trained.value())) {
                String evaluated = stages.evaluate(model, trained, features.value());
                String finetunedEvaluated = null;
                if (finetuned != null) {
                    try (CaptionModel tuned = CaptionModel.load(finetuned.value())) {
                        finetunedEvaluated = stages.evaluateFinetuned(tuned, finetuned, features.value());
                    }
                }
                return stages.report(model, evaluated, explored, finetunedEvaluated);
            }
        }
    }

    /**
     * What a stage made, with the key its stamp has: the stages after it include the key in theirs.
     *
     * @param key the stage's key
     * @param value what it made
     * @param <T> its type
     */
    private record Keyed<T>(String key, T value) {}

    /**
     * The stages of one run, in order. Each skips itself when its stamp says its outputs were
     * made from the same inputs and settings; each stage's key includes the keys it depends on.
     */
    private final class Stages {
        private final RunSpec s;
        private final Dataset dataset;
        private final Path out;
        private final StageStamps stamps;
        private final List<String> ran = new ArrayList<>();
        private final DatasetStats stats;
        private final String dataKey;

        Stages(RunSpec s, Dataset dataset) {
            this.s = s;
            this.dataset = dataset;
            this.out = s.out();
            this.stamps = new StageStamps(out);
            this.stats = DatasetStats.compute(dataset, s.model().cleaning());
            this.dataKey = StageStamps.key("data", fingerprint(dataset), s.model().cleaning());
        }

        private boolean upToDate(String stage, String key, Path... outputs) {
            if (!stamps.done(stage, key)) {
                return false;
            }
            for (Path p : outputs) {
                if (!Files.exists(p)) {
                    return false;
                }
            }
            return true;
        }

        private void ran(String stage) {
            ran.add(stage);
        }

        void stats() throws IOException {
            if (!upToDate("stats", dataKey)) {
                stage("stats");
                AtomicFiles.write(out.resolve(STATS), JSON.writeValueAsBytes(stats));
                stamps.mark("stats", dataKey);
                ran("stats");
            }
        }

        Keyed<FeatureSet> features() throws IOException {
            FeatureKind kind = s.model().architecture().features();
            // An exported encoder's model file is named with it: its identity keys the stage too.
            Path weights = s.weights() != null ? s.weights() : Encoders.fileOf(s.encoder());
            // Pooled-vector runs keep the key they always had, so existing feature files stay valid.
            String featuresKey = kind == FeatureKind.POOLED
                    ? StageStamps.key("features", dataKey, s.encoder(), weightsIdentity(weights))
                    : StageStamps.key("features", dataKey, s.encoder(), weightsIdentity(weights), kind.id());
            if (s.encoderCard() != null) {
                featuresKey = StageStamps.key(featuresKey, s.encoderCard().toJson());
            }
            Path featureFile = out.resolve(kind == FeatureKind.POOLED ? FEATURES : GRID_FEATURES);
            if (!upToDate("features", featuresKey, featureFile)) {
                stage("features (" + s.encoder() + (kind == FeatureKind.GRID ? ", grids" : "") + ")");
                List<ImageRecord> images = dataset.images().stream().filter(r -> r.split() != null && r.present()).toList();
                int workers = Runtime.getRuntime().availableProcessors();
                FeatureExtractor.Spec options = new FeatureExtractor.Spec(s.featureBatch(), workers,
                        ImageLoader.DEFAULT_MAX_PIXELS);
                EngineThreads.share(workers);
                try (ImageEncoder enc = Encoders.open(s.encoder(), s.weights(), s.encoderCard(), kind,
                        new Downloader(log))) {
                    FeatureExtractor.Result r = new FeatureExtractor(log).extract(dataset, images, enc, featureFile, options);
                    if (!r.failures().isEmpty()) {
                        log.println("run: " + r.failures().size() + " images could not be encoded and are left out");
                    }
                }
                stamps.mark("features", featuresKey);
                ran("features");
            }
            return new Keyed<>(featuresKey, FeatureStore.read(featureFile));
        }

        String explore(Keyed<FeatureSet> features) {
            String exploreKey = StageStamps.key("explore", features.key(), s.clusters(), s.train().seed());
            if (!upToDate("explore", exploreKey)) {
                stage("explore");
                Explore.run(dataset, s.model().cleaning(), features.value(), s.clusters(), s.train().seed(),
                        out.resolve(EXPLORE));
                stamps.mark("explore", exploreKey);
                ran("explore");
            }
            return exploreKey;
        }

        Keyed<Path> train(Keyed<FeatureSet> features) {
            String trainKey = StageStamps.key("train", features.key(), s.model(), s.train());
            Path modelDir = out.resolve(MODEL);
            ModelDirectory files = new ModelDirectory(modelDir);
            if (!upToDate("train", trainKey, files.configFile())) {
                stage("train");
                // Resume only a run started with these very settings; anything else starts afresh.
                boolean resume = CaptionTrainer.hasCheckpoint(modelDir) && stamps.done("train-started", trainKey);
                if (!resume) {
                    FileTrees.delete(modelDir);
                }
                stamps.mark("train-started", trainKey);
                Path chart = files.lossChart();
                CaptionTrainer.Result r = new CaptionTrainer(log)
                        .onEpoch(LossChart.redrawing(chart))
                        .train(dataset, features.value(), modelDir, s.model(), s.train(), resume);
                LossChart.write(r.history(), chart);
                stamps.mark("train", trainKey);
                ran("train");
            }
            return new Keyed<>(trainKey, modelDir);
        }

        /** @return the fine-tuned model, or null when the run does not fine-tune */
        Keyed<Path> finetune(Keyed<Path> trained, FeatureSet features) {
            if (s.finetune() == null) {
                return null;
            }
            String finetuneKey = StageStamps.key("finetune", trained.key(), s.finetune());
            Path dir = out.resolve(FINETUNED);
            if (!upToDate("finetune", finetuneKey, new ModelDirectory(dir).configFile())) {
                stage("finetune (self-critical, " + s.finetune().epochs() + " epochs at most)");
                boolean resume = SelfCriticalTrainer.hasCheckpoint(dir) && stamps.done("finetune-started", finetuneKey);
                if (!resume) {
                    FileTrees.delete(dir);
                }
                stamps.mark("finetune-started", finetuneKey);
                Finetuning.run(trained.value(), dataset, features, dir, s.finetune(), resume, log);
                stamps.mark("finetune", finetuneKey);
                ran("finetune");
            }
            return new Keyed<>(finetuneKey, dir);
        }

        String evaluateFinetuned(CaptionModel model, Keyed<Path> finetuned, FeatureSet features) throws IOException {
            String finetuneEvalKey = StageStamps.key("evaluate-finetuned", finetuned.key(), s.beam());
            Path evalDir = out.resolve(EVAL_FINETUNED);
            if (!upToDate("evaluate-finetuned", finetuneEvalKey)) {
                stage("evaluate the fine-tuned model (greedy and beam " + s.beam() + ")");
                save(evalDir.resolve("greedy"), Evaluation.run(model, dataset, features, Split.TEST, DecodeSpec.greedy()));
                save(evalDir.resolve("beam" + s.beam()),
                        Evaluation.run(model, dataset, features, Split.TEST, DecodeSpec.beam(s.beam())));
                stamps.mark("evaluate-finetuned", finetuneEvalKey);
                ran("evaluate-finetuned");
            }
            return finetuneEvalKey;
        }

        String evaluate(CaptionModel model, Keyed<Path> trained, FeatureSet features) throws IOException {
            String evalKey = StageStamps.key("evaluate", trained.key(), s.beam());
            Path evalDir = out.resolve(EVAL);
            if (!upToDate("evaluate", evalKey)) {
                stage("evaluate (greedy and beam " + s.beam() + ")");
                Scoring.Result g = Evaluation.run(model, dataset, features, Split.TEST, DecodeSpec.greedy());
                Scoring.Result b = Evaluation.run(model, dataset, features, Split.TEST, DecodeSpec.beam(s.beam()));
                save(evalDir.resolve("greedy"), g);
                save(evalDir.resolve("beam" + s.beam()), b);
                EvalPlots.write(dataset, g.predictions(), evalDir);
                FileTrees.delete(evalDir.resolve(AttentionExamples.DIR));
                AttentionExamples.write(model, dataset, features, g.predictions().stream().limit(ATTENTION_EXAMPLES)
                        .map(Prediction::image).toList(), evalDir.resolve(AttentionExamples.DIR));
                stamps.mark("evaluate", evalKey);
                ran("evaluate");
            }
            return evalKey;
        }

        /**
         * @param evalKey the evaluation's key
         * @param exploreKey the exploration's key
         * @param finetuneEvalKey the fine-tuned model's evaluation's key, or null without fine-tuning
         */
        Result report(CaptionModel model, String evalKey, String exploreKey, String finetuneEvalKey) throws IOException {
            Path evalDir = out.resolve(EVAL);
            Path greedyDir = evalDir.resolve("greedy");
            Path beamDir = evalDir.resolve("beam" + s.beam());
            Metrics greedy = JSON.readValue(greedyDir.resolve("metrics.json").toFile(), Metrics.class);
            Metrics beam = JSON.readValue(beamDir.resolve("metrics.json").toFile(), Metrics.class);
            List<Prediction> predictions = readPredictions(greedyDir.resolve("predictions.jsonl"));
            Map<String, String> beamCaptions = new LinkedHashMap<>();
            for (Prediction p : readPredictions(beamDir.resolve("predictions.jsonl"))) {
                beamCaptions.put(p.image(), p.caption());
            }
            List<Metrics> finetuned = new ArrayList<>();
            if (finetuneEvalKey != null) {
                for (String d : List.of("greedy", "beam" + s.beam())) {
                    finetuned.add(JSON.readValue(out.resolve(EVAL_FINETUNED).resolve(d).resolve("metrics.json").toFile(),
                            Metrics.class));
                }
            }
            String reportKey = StageStamps.key("report", evalKey, exploreKey, dataKey, String.valueOf(finetuneEvalKey));
            Path index = out.resolve(REPORT).resolve(HtmlReport.INDEX);
            if (!upToDate("report", reportKey, index)) {
                stage("report");
                Path modelDir = out.resolve(MODEL);
                List<EpochRecord> history = new ModelDirectory(modelDir).history();
                ReportData data = new ReportData("captioner report: " + dataset.format().id() + " with "
                        + model.config().encoder().name(), dataset.location(), dataset.format().id(), stats,
                        model.config(), s.train(), history, List.of(greedy, beam), predictions, beamCaptions,
                        plots(modelDir, evalDir), attentionPictures(evalDir.resolve(AttentionExamples.DIR)), finetuned);
                HtmlReport.write(data, dataset, out.resolve(REPORT));
                stamps.mark("report", reportKey);
                ran("report");
            }
            return new Result(index, greedy, beam, predictions, beamCaptions, List.copyOf(ran), List.copyOf(finetuned));
        }

        private List<Path> attentionPictures(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (var files = Files.list(dir)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList();
            }
        }

        private Map<String, Path> plots(Path modelDir, Path evalDir) {
            Path explore = out.resolve(EXPLORE);
            Map<String, Path> plots = new LinkedHashMap<>();
            plots.put("Sample images and their captions", explore.resolve(Explore.SAMPLES));
            plots.put("The 50 most frequent words", explore.resolve(Explore.TOP_WORDS));
            plots.put("Caption lengths", explore.resolve(Explore.LENGTHS));
            plots.put("Image features projected with PCA, coloured by k-means cluster", explore.resolve(Explore.PCA));
            plots.put("Similar images: examples of each cluster", explore.resolve(Explore.CLUSTERS));
            plots.put("Training and dev loss", new ModelDirectory(modelDir).lossChart());
            Path finetuneChart = out.resolve(FINETUNED).resolve(FinetuneChart.FILE);
            if (s.finetune() != null && Files.isRegularFile(finetuneChart)) {
                plots.put("Self-critical fine-tuning: mean sample reward and dev CIDEr-D", finetuneChart);
            }
            plots.put("Generated captions on test images", evalDir.resolve(EvalPlots.PREDICTIONS));
            plots.put("Best and worst test images by sentence BLEU-4", evalDir.resolve(EvalPlots.BEST_WORST));
            return plots;
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
