package dev.captioner.testutil;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureExtractor;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.Architecture;
import dev.captioner.train.CaptionTrainer;
import dev.captioner.model.ModelSpec;
import dev.captioner.train.Objective;
import dev.captioner.train.TrainConfig;
import dev.captioner.train.ConceptsTrainer;
import dev.captioner.train.ConceptsSpec;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.ImageEncoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A whole tiny pipeline for tests that need a real model: synthetic data, a concepts encoder,
 * features, a trained caption model. Small enough to build in a few seconds on two cores.
 *
 * @param data the synthetic dataset folder
 * @param encoder the concepts encoder folder
 * @param features the feature file
 * @param model the model directory
 */
public record TinyPipeline(Path data, Path encoder, Path features, Path model) {

    /** Builds everything under {@code dir}, with a merge model. */
    public static TinyPipeline build(Path dir) throws Exception {
        return build(dir, Architecture.MERGE);
    }

    /** Builds everything under {@code dir}, with a model of the given architecture on the features it needs. */
    public static TinyPipeline build(Path dir, Architecture architecture) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path data = dir.resolve("shapes");
        SyntheticShapes.generate(new SynthSpec(48, 32, 11), data);
        Path enc = dir.resolve("encoder");
        Path features = dir.resolve("features.h5");
        Path model = dir.resolve("model");
        try (Dataset d = DatasetLoader.load(data, LoadSpec.defaults())) {
            new ConceptsTrainer(quiet).train(d, new ConceptsSpec(32, 12, 2, 16, 2e-3f, 16, 1, Cleaning.KERAS_TUTORIAL), enc, false);
            try (ImageEncoder e = Encoders.open("concepts", enc, architecture.features())) {
                new FeatureExtractor(quiet).extract(d, d.images(), e, features,
                        new FeatureExtractor.Spec(4, 1, 1_000_000));
            }
            new CaptionTrainer(quiet).train(d, FeatureStore.read(features), model,
                    ModelSpec.defaults().withArchitecture(architecture).withSizes(16, 24).withDropout(0.1f)
                            .withSettingsFrom(new ModelSpec.TransformerSpec(2, 16, 4, 32, false, 0)),
                    new TrainConfig(4, 16, 1e-2f, 5f, 4, Objective.SEQUENCE, 3), false);
        }
        return new TinyPipeline(data, enc, features, model);
    }
}
