import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import java.nio.file.Path;

public class CaptionExample {
    public static void main(String[] args) {
        try (Captioner captioner = Captioner.load(Path.of(args[0]))) {     // the model directory
            Caption caption = captioner.caption(Path.of(args[1]));          // or a BufferedImage
            System.out.println(caption.text());                             // caption.score(): log-probability
        }
    }
}
