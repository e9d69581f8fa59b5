package dev.captioner.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.captioner.eval.CaptionHabits;
import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.util.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints and writes metrics the same way for {@code evaluate} and {@code score}. */
final class MetricsOutput {

    static final ObjectMapper JSON = new ObjectMapper();

    private MetricsOutput() {}

    static void table(PrintWriter out, Metrics m) {
        out.printf(Locale.ROOT, "split %s: %d images%s%s%n", m.split(), m.images(),
                m.missing() > 0 ? " (" + m.missing() + " without a prediction, scored as empty)" : "",
                m.beam() > 0 ? ", beam " + m.beam() : "");
        out.printf(Locale.ROOT, "  BLEU-1   %.4f%n", m.bleu1());
        out.printf(Locale.ROOT, "  BLEU-2   %.4f%n", m.bleu2());
        out.printf(Locale.ROOT, "  BLEU-3   %.4f%n", m.bleu3());
        out.printf(Locale.ROOT, "  BLEU-4   %.4f%n", m.bleu4());
        out.printf(Locale.ROOT, "  CIDEr-D  %.4f%n", m.cider());
        out.printf(Locale.ROOT, "  ROUGE-L  %.4f%n", m.rougeL());
        if (m.habits() != null) {
            CaptionHabits h = m.habits();
            out.printf(Locale.ROOT, "  bad endings %.1f %%, repeated trigrams %.1f %%, distinct captions %.1f %%, "
                    + "mean length %.1f words%n", 100 * h.badEndings(), 100 * h.repeatedTrigrams(), 100 * h.distinct(),
                    h.meanLength());
        }
    }

    static void writeMetrics(Path file, Metrics m) throws IOException {
        AtomicFiles.write(file, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m));
    }

    static void writePredictions(Path file, List<Prediction> predictions) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Prediction p : predictions) {
            sb.append(JSON.writeValueAsString(p)).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
