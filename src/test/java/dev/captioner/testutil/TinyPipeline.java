package dev.captioner.testutil;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadOptions;
import dev.captioner.data.SynthConfig;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureExtractor;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionTrainer;
import dev.captioner.model.ModelSpec;
import dev.captioner.model.Objective;
import dev.captioner.model.TrainConfig;
import dev.captioner.vision.ConceptsTrainer;
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
        SyntheticShapes.generate(new SynthConfig(48, 32, 11), data);
        Path enc = dir.resolve("encoder");
        Path features = dir.resolve("features.h5");
        Path model = dir.resolve("model");
        try (Dataset d = DatasetLoader.load(data, LoadOptions.defaults())) {
            new ConceptsTrainer(quiet).train(d, new ConceptsTrainer.Options(32, 12, 2, 16, 2e-3f, 16, 1, Cleaning.SEED), enc);
            try (ImageEncoder e = Encoders.open("concepts", enc, architecture.features())) {
                new FeatureExtractor(quiet).extract(d, d.images(), e, features,
                        new FeatureExtractor.Options(4, 1, 1_000_000));
            }
            new CaptionTrainer(quiet).train(d, FeatureStore.read(features), model,
                    ModelSpec.defaults().withArchitecture(architecture).withSizes(16, 24).withDropout(0.1f)
                            .withTransformer(new ModelSpec.TransformerSettings(2, 16, 4, 32, false, 0)),
                    new TrainConfig(4, 16, 1e-2f, 5f, 4, Objective.SEQUENCE, 3), false);
        }
        return new TinyPipeline(data, enc, features, model);
    }
}
