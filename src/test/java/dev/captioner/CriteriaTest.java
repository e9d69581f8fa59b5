package dev.captioner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** DJL users load a pretrained folder with Criteria and get the caption the Java API gives. */
class CriteriaTest {

    @Test
    void aPretrainedFolderLoadsThroughCriteria() throws Exception {
        Path folder = Path.of("src/test/resources/fixtures/hf/vit-gpt2-tiny");
        Path photo = Path.of("src/test/resources/fixtures/images/rgb_301x199.png");
        String expected;
        try (Captioner c = Captioner.load(folder, Captioner.Spec.defaults().withBeam(3))) {
            expected = c.caption(photo).text();
        }
        try (ZooModel<Image, String> model = CaptionTranslatorFactory.builder(folder).optArgument("beam", 3).build()
                .loadModel(); Predictor<Image, String> predictor = model.newPredictor()) {
            assertThat(predictor.predict(ImageFactory.getInstance().fromFile(photo))).isEqualTo(expected).isNotBlank();
        }
    }
}
