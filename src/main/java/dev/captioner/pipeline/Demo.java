package dev.captioner.pipeline;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.model.Architecture;
import dev.captioner.train.FinetuneConfig;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.Objective;
import dev.captioner.train.TrainConfig;
import dev.captioner.vision.ConceptsConfig;
import dev.captioner.vision.ConceptsEncoder;
import dev.captioner.train.ConceptsTrainer;
import dev.captioner.train.ConceptsSpec;
import dev.captioner.util.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The offline main job: writes the synthetic shapes dataset, trains the concepts encoder on it,
 * and runs the whole pipeline with that encoder. Nothing to download, nothing to prepare; every
 * stage is skipped on a re-run if its outputs are up to date.
 */
public final class Demo {

    /**
     * The demo's architecture unless told otherwise: the transformer, which beats the attention
     * LSTM on the synthetic scenes (and both beat the merge and init-inject models clearly on
     * their spatial relations; README, "Which architecture wins") in less training time.
     */
    public static final Architecture ARCHITECTURE = Architecture.TRANSFORMER;

    /**
     * The transformer's size on the demo's 1,500 training images: two layers of 128 score as well
     * as the default three of 256 (which overfit after nine epochs) in a third of the time
     * (docs/performance.md, "Tuning the transformer").
     */
    public static final ModelSpec.TransformerSpec TRANSFORMER = new ModelSpec.TransformerSpec(2, 128, 4, 512,
            false, 0);

    /**
     * Spec of the demo.
     *
     * @param out the run folder
     * @param data the synthetic images (how many, their size) and the seed of everything
     * @param encoder the concepts encoder's training
     * @param captions the caption model's training
     */
    public record Spec(Path out, SynthSpec data, EncoderStage encoder, CaptionStage captions) {

        /**
         * The concepts encoder's training.
         *
         * @param size its input size in pixels
         * @param epochs its epochs
         */
        public record EncoderStage(int size, int epochs) {
            /** Validates the settings. */
            public EncoderStage {
                // The concepts encoder's own limits, checked before anything is written.
                ConceptsSpec d = ConceptsSpec.defaults();
                new ConceptsSpec(size, d.labels(), epochs, d.batchSize(), d.learningRate(), d.featureDim(), d.seed(),
                        d.cleaning());
            }
        }

        /**
         * The caption model's training.
         *
         * @param architecture its architecture
         * @param epochs its epochs
         * @param finetuneEpochs most epochs of self-critical fine-tuning after training (0: none)
         */
        public record CaptionStage(Architecture architecture, int epochs, int finetuneEpochs) {
            /** Validates the settings. */
            public CaptionStage {
                if (epochs < 1 || epochs > 10_000) {
                    throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
                }
                if (architecture == null) {
                    throw new IllegalArgumentException("an architecture is required");
                }
                if (finetuneEpochs < 0 || finetuneEpochs > 10_000) {
                    throw new IllegalArgumentException("fine-tuning epochs must be between 0 and 10000, was "
                            + finetuneEpochs);
                }
            }
        }

        /**
         * The settings as they were given before they were grouped.
         *
         * @deprecated use {@link #Spec(Path, SynthSpec, EncoderStage, CaptionStage)}
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Spec(Path out, int images, int epochs, int encoderEpochs, int imageSize, int encoderSize, long seed) {
            this(out, new SynthSpec(images, imageSize, seed), new EncoderStage(encoderSize, encoderEpochs),
                    new CaptionStage(ARCHITECTURE, epochs, 0));
        }

        /** Validates the settings. */
        public Spec {
            if (out == null || data == null || encoder == null || captions == null) {
                throw new IllegalArgumentException("the run folder, data, encoder and caption settings are required");
            }
        }

        /**
         * @return the defaults: 2,000 images of 96 px, 12 encoder epochs, 20 caption-model epochs,
         *     the transformer ({@link #ARCHITECTURE})
         */
        public static Spec defaults(Path out) {
            return new Spec(out, new SynthSpec(SynthSpec.DEFAULT_IMAGES, SynthSpec.DEFAULT_SIZE, 42),
                    new EncoderStage(64, 12), new CaptionStage(ARCHITECTURE, 20, 0));
        }

        /** @return synthetic images */
        public int images() {
            return data.images();
        }

        /** @return their size in pixels */
        public int imageSize() {
            return data.size();
        }

        /** @return the seed of everything */
        public long seed() {
            return data.seed();
        }

        /** @return the concepts encoder's input size */
        public int encoderSize() {
            return encoder.size();
        }

        /** @return the concepts encoder's epochs */
        public int encoderEpochs() {
            return encoder.epochs();
        }

        /** @return the caption model's architecture */
        public Architecture architecture() {
            return captions.architecture();
        }

        /** @return the caption model's epochs */
        public int epochs() {
            return captions.epochs();
        }

        /** @return most epochs of fine-tuning (0: none) */
        public int finetuneEpochs() {
            return captions.finetuneEpochs();
        }
    }

    private final PrintStream log;

    /** @param log where stage lines go */
    public Demo(PrintStream log) {
        this.log = log;
    }

    /**
     * @param s settings
     * @return the pipeline's result
     */
    public RunPipeline.Result run(Spec s) throws IOException {
        Files.createDirectories(s.out());
        StageStamps stamps = new StageStamps(s.out());
        Path data = s.out().resolve("data");
        String synthKey = StageStamps.key("synth", s.images(), s.imageSize(), s.seed());
        if (!stamps.done("synth", synthKey)) {
            log.println("demo: writing " + s.images() + " synthetic images");
            SyntheticShapes.generate(new SynthSpec(s.images(), s.imageSize(), s.seed()), data);
            stamps.mark("synth", synthKey);
        }
        Path encoder = s.out().resolve("encoder");
        String encoderKey = StageStamps.key("encoder", synthKey, s.encoderEpochs(), s.encoderSize());
        if (!stamps.done("encoder", encoderKey) || !Files.isRegularFile(encoder.resolve(ConceptsConfig.FILE))) {
            log.println("demo: training the concepts encoder");
            // An interrupted run continues; one finished for other settings is replaced.
            boolean resume = ConceptsTrainer.hasCheckpoint(encoder);
            if (!resume) {
                FileTrees.delete(encoder);
            }
            try (Dataset d = DatasetLoader.load(data, LoadSpec.defaults().withSeed(s.seed()))) {
                ConceptsSpec o = ConceptsSpec.defaults();
                new ConceptsTrainer(log).train(d, new ConceptsSpec(s.encoderSize(), o.labels(), s.encoderEpochs(),
                        o.batchSize(), o.learningRate(), o.featureDim(), s.seed(), Cleaning.KERAS_TUTORIAL), encoder, resume);
            }
            stamps.mark("encoder", encoderKey);
        }
        ModelSpec model = ModelSpec.defaults(s.architecture()).withSettingsFrom(TRANSFORMER);
        TrainConfig train = new TrainConfig(s.epochs(), 64, 1e-3f, 5f, 3, Objective.SEQUENCE, s.seed())
                .withSchedule(s.architecture().recipe().warmup(), s.architecture().recipe().decay());
        RunSpec run = new RunSpec(new RunSpec.Source(data, LoadSpec.defaults().withSeed(s.seed()), ConceptsEncoder.NAME,
                encoder, null, 8), s.out(), model, train, new RunSpec.Report(3, 8), null).withFinetune(s.finetuneEpochs() == 0 ? null : FinetuneConfig.defaults()
                        .withEpochs(s.finetuneEpochs()).withSeed(s.seed())
                        .withLearningRate(s.architecture().recipe().finetuneRate()));
        return new RunPipeline(log).run(run);
    }
}
