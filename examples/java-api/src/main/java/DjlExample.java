import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.captioner.CaptionTranslatorFactory;
import java.nio.file.Path;

public class DjlExample {
    public static void main(String[] args) throws Exception {
        Criteria<Image, String> criteria = CaptionTranslatorFactory.builder(Path.of(args[0]))
                .optArgument("beam", 3)
                .build();
        try (ZooModel<Image, String> model = criteria.loadModel();
                Predictor<Image, String> predictor = model.newPredictor()) {
            Image image = ImageFactory.getInstance().fromFile(Path.of(args[1]));
            System.out.println(predictor.predict(image));
        }
    }
}
