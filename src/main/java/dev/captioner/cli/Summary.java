package dev.captioner.cli;

import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.pipeline.RunPipeline;
import java.io.PrintWriter;
import java.util.Locale;

/** The closing summary of {@code run} and {@code demo}. */
final class Summary {

    private Summary() {}

    static void print(PrintWriter out, RunPipeline.Result r, int examples) {
        out.printf(Locale.ROOT, "%-20s %8s %8s %8s %8s %8s%n", "test", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "CIDEr-D");
        for (Metrics m : new Metrics[] {r.greedy(), r.beam()}) {
            line(out, m.beam() <= 1 ? "greedy" : "beam " + m.beam(), m);
        }
        for (Metrics m : r.finetuned()) {
            line(out, (m.beam() <= 1 ? "greedy" : "beam " + m.beam()) + ", fine-tuned", m);
        }
        if (examples > 0) {
            out.println();
            for (Prediction p : r.predictions().subList(0, Math.min(examples, r.predictions().size()))) {
                out.println(p.image());
                out.println("  generated: " + p.caption());
                out.println("  reference: " + p.references().get(0));
            }
        }
        out.println();
        out.println("report: " + r.report().toAbsolutePath());
    }

    private static void line(PrintWriter out, String label, Metrics m) {
        out.printf(Locale.ROOT, "%-20s %8.4f %8.4f %8.4f %8.4f %8.4f%n", label, m.bleu1(), m.bleu2(), m.bleu3(), m.bleu4(),
                m.cider());
    }
}
