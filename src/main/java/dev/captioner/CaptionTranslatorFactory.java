package dev.captioner;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.nn.Blocks;
import ai.djl.repository.zoo.Criteria;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Lets a DJL user load a captioner model directory with {@link Criteria}:
 *
 * <pre>{@code
 * Criteria<Image, String> criteria = CaptionTranslatorFactory.criteria(Path.of("runs/model"));
 * try (ZooModel<Image, String> model = criteria.loadModel();
 *         Predictor<Image, String> predictor = model.newPredictor()) {
 *     String caption = predictor.predict(ImageFactory.getInstance().fromFile(Path.of("dog.jpg")));
 * }
 * }</pre>
 *
 * Arguments ({@code optArgument}): {@code beam} (default 1), {@code weights} (encoder weights),
 * {@code variant} (a pretrained folder's: {@code default} or {@code quantized}). The model path
 * may be a pretrained folder as Hugging Face publishes it (see {@link Captioner#load}).
 */
public final class CaptionTranslatorFactory implements TranslatorFactory {

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<>(Image.class, String.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
        if (input != Image.class || output != String.class) {
            throw new IllegalArgumentException("captioner translates Image to String, not " + input + " to " + output);
        }
        Captioner.Spec options = Captioner.Spec.defaults();
        Object beam = arguments.get("beam");
        if (beam != null) {
            options = options.withBeam(Integer.parseInt(beam.toString()));
        }
        Object weights = arguments.get("weights");
        if (weights != null) {
            options = options.withWeights(Path.of(weights.toString()));
        }
        Object variant = arguments.get("variant");
        if (variant != null) {
            options = options.withVariant(variant.toString());
        }
        return (Translator<I, O>) new CaptionTranslator(options);
    }

    /**
     * @param modelDir a model directory written by {@code captioner train}
     * @return criteria that load it as an {@code Image -> String} model
     */
    public static Criteria<Image, String> criteria(Path modelDir) {
        return builder(modelDir).build();
    }

    /**
     * @param modelDir a model directory written by {@code captioner train}
     * @return a criteria builder, for adding arguments such as {@code beam}
     */
    public static Criteria.Builder<Image, String> builder(Path modelDir) {
        return Criteria.builder()
                .setTypes(Image.class, String.class)
                .optModelPath(modelDir)
                .optEngine("PyTorch")
                // The network is run by the translator; DJL's model only passes features through.
                .optBlock(Blocks.identityBlock())
                .optOption("hasParameter", "false")
                .optTranslatorFactory(new CaptionTranslatorFactory());
    }
}
