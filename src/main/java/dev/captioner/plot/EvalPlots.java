package dev.captioner.plot;

import dev.captioner.data.Dataset;
import dev.captioner.eval.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** {@code predictions.png} and {@code best_worst.png}: generated captions next to the references. */
public final class EvalPlots {

    /** Sample of test predictions. */
    public static final String PREDICTIONS = "predictions.png";
    /** Best and worst by sentence BLEU-4. */
    public static final String BEST_WORST = "best_worst.png";

    private EvalPlots() {}

    /**
     * @param dataset where the images are
     * @param predictions per-image predictions, in split order
     * @param out folder to write into
     * @return the files written
     */
    public static List<Path> write(Dataset dataset, List<Prediction> predictions, Path out) {
        List<ImageGrid.Cell> sample = new ArrayList<>();
        for (Prediction p : predictions.subList(0, Math.min(8, predictions.size()))) {
            sample.add(cell(dataset, p, ""));
        }
        ImageGrid.write("Generated captions on test images (blue) and their references", sample, 4, 300,
                out.resolve(PREDICTIONS));
        List<Prediction> ranked = new ArrayList<>(predictions);
        ranked.sort(Comparator.comparingDouble(Prediction::bleu4).reversed().thenComparing(Prediction::image));
        List<ImageGrid.Cell> bw = new ArrayList<>();
        int n = Math.min(4, ranked.size() / 2);
        for (int i = 0; i < n; i++) {
            bw.add(cell(dataset, ranked.get(i), "best #" + (i + 1)));
        }
        for (int i = 0; i < n; i++) {
            bw.add(cell(dataset, ranked.get(ranked.size() - 1 - i), "worst #" + (i + 1)));
        }
        ImageGrid.write("Highest (top row) and lowest (bottom row) scoring test images by sentence BLEU-4", bw, 4, 300,
                out.resolve(BEST_WORST));
        return List.of(out.resolve(PREDICTIONS), out.resolve(BEST_WORST));
    }

    private static ImageGrid.Cell cell(Dataset dataset, Prediction p, String tag) {
        List<String> lines = new ArrayList<>();
        lines.add("! " + (tag.isEmpty() ? "" : tag + ": ") + p.caption());
        lines.add(String.format(Locale.ROOT, "BLEU-4 %.3f   %s", p.bleu4(), p.image()));
        for (String r : p.references().subList(0, Math.min(3, p.references().size()))) {
            lines.add("• " + r);
        }
        return new ImageGrid.Cell(dataset.image(p.image()).map(r -> Thumbnails.load(dataset, r)).orElse(null), lines);
    }
}
