package dev.captioner.cli;

import dev.captioner.Captioner;
import dev.captioner.decode.Caption;
import dev.captioner.decode.WordAttention;
import dev.captioner.options.BeamWidth;
import dev.captioner.options.ExactDecode;
import dev.captioner.options.ModelChoice;
import dev.captioner.options.ModelWeights;
import dev.captioner.options.PixelLimit;
import dev.captioner.options.SearchOptions;
import dev.captioner.options.Checked;
import dev.captioner.plot.AttentionPicture;
import dev.captioner.vision.GridShape;
import dev.captioner.image.ImageLoader;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code captioner caption}: captions image files and folders from scratch. */
@Command(name = "caption", mixinStandardHelpOptions = true,
        description = "Caption image files and folders with a trained model (the image encoder runs too).")
public final class CaptionCommand implements Callable<Integer> {

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "webp");

    @Spec
    CommandSpec spec;

    @Mixin
    ModelChoice model;

    @Mixin
    BeamWidth beam;

    @Mixin
    SearchOptions search;

    @Mixin
    ModelWeights weights;

    @Option(names = "--json", description = "Print JSON lines (image, caption, score) instead of name<TAB>caption.")
    boolean json;

    @Option(names = "--attention", paramLabel = "DIR",
            description = "Attention models: write one PNG per image to DIR showing where the model looked for each word.")
    Path attentionDir;

    @Mixin
    PixelLimit pixels;

    @Mixin
    ExactDecode decode;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Image files or folders of images.")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        List<Path> images = expand(paths);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int[] failed = {0};
        Captioner.Spec options = Checked.of(spec, () -> new Captioner.Spec(search.decode(beam.beamFor(model.modelPath())),
                weights.weightsPath(), pixels.maxPixels(), decode.exact(), weights.trustModelPaths(), model.variant()));
        try (Captioner captioner = Captioner.load(model.modelPath(), options)) {
            // Non-null only for a model whose captions carry a map per word.
            GridShape grid = captioner.attentionGrid();
            if (attentionDir != null && grid == null) {
                String what = captioner.model() == null ? "pretrained"
                        : "a " + captioner.model().config().architecture().toString();
                throw new CaptionerException("--attention: " + model.model() + " is " + what
                        + " model, which yields no attention maps; train one whose architecture does (e.g. attention)");
            }
            if (attentionDir != null) {
                Files.createDirectories(attentionDir);
            }
            AttentionFiles pictures = attentionDir == null ? null
                    : new AttentionFiles(attentionDir, new ImageLoader(options.maxPixels()), grid);
            captioner.captionEach(images, (p, c) -> {
                if (pictures != null && !pictures.write(p, c, err)) {
                    failed[0]++;
                }
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("image", p.toString());
                    line.put("caption", c.text());
                    line.put("score", c.score());
                    if (grid != null) {
                        line.put("attention", WordAttention.of(c, grid));
                    }
                    try {
                        out.println(MetricsOutput.JSON.writeValueAsString(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    out.println(p + "\t" + c.text());
                }
                out.flush();
            }, (p, e) -> {
                failed[0]++;
                err.println("error: " + e.getMessage());
                err.flush();
            });
        }
        if (failed[0] > 0) {
            err.printf(Locale.ROOT, "error: %d of %d images could not be captioned%n", failed[0], images.size());
            return 1;
        }
        return 0;
    }

    /** Writes attention pictures, one per image, named after the image and never overwriting each other. */
    private static final class AttentionFiles {
        private final Path dir;
        private final ImageLoader loader;
        private final GridShape grid;
        private final Set<String> used = new HashSet<>();

        AttentionFiles(Path dir, ImageLoader loader, GridShape grid) {
            this.dir = dir;
            this.loader = loader;
            this.grid = grid;
        }

        boolean write(Path image, Caption caption, PrintWriter err) {
            String name = image.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String stem = dot > 0 ? name.substring(0, dot) : name;
            String file = stem + ".png";
            for (int n = 2; !used.add(file); n++) {
                file = stem + "-" + n + ".png";
            }
            try {
                // Read again rather than hold every image of a batch: the picture is drawn from a small copy.
                AttentionPicture.write(loader.load(image).toBufferedImage(), caption, grid, dir.resolve(file));
                return true;
            } catch (RuntimeException e) {
                err.println("error: " + image + ": cannot draw the attention picture: " + e.getMessage());
                err.flush();
                return false;
            }
        }
    }

    /** Folders become the images directly inside them, sorted by name; files stay as given. */
    static List<Path> expand(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).filter(f -> {
                        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        int dot = n.lastIndexOf('.');
                        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
                    }).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new CaptionerException(p + ": cannot list: " + e.getMessage(), e);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
