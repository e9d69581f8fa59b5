package dev.captioner.plot;

import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetStats;
import dev.captioner.data.ImageRecord;
import dev.captioner.eval.CaptionHabits;
import dev.captioner.eval.Metrics;
import dev.captioner.eval.Prediction;
import dev.captioner.model.EpochRecord;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code report/index.html}: one page that works offline from disk. Plots and thumbnails are
 * copied next to it and linked relatively; no scripts, no CDN. Shows dataset statistics, every
 * plot, greedy and beam metrics, model and training settings, and test images with their
 * generated captions and references.
 */
public final class HtmlReport {

    /** The page's file name. */
    public static final String INDEX = "index.html";
    private static final int THUMBNAILS = 60;

    private HtmlReport() {}

    /**
     * @param data what to show
     * @param dataset where the test images are (for thumbnails)
     * @param dir the report folder
     * @return the page
     */
    public static Path write(ReportData data, Dataset dataset, Path dir) {
        try {
            Files.createDirectories(dir.resolve("img"));
            Files.createDirectories(dir.resolve("thumbs"));
            StringBuilder h = new StringBuilder();
            h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                    .append("<title>").append(esc(data.title())).append("</title><style>").append(CSS)
                    .append("</style></head><body><main>\n");
            h.append("<h1>").append(esc(data.title())).append("</h1>\n");
            h.append("<p class=\"sub\">Dataset <code>").append(esc(data.datasetLocation())).append("</code> (")
                    .append(esc(data.datasetFormat())).append(") · encoder <b>").append(esc(data.model().encoder().name()))
                    .append("</b> · architecture <b>").append(esc(data.model().architecture().id())).append("</b></p>\n");
            metrics(h, data);
            stats(h, data.stats());
            settings(h, data);
            h.append("<section><h2>Plots</h2>\n");
            for (Map.Entry<String, Path> p : data.plots().entrySet()) {
                if (!Files.isRegularFile(p.getValue())) {
                    continue;
                }
                String name = p.getValue().getFileName().toString();
                Files.copy(p.getValue(), dir.resolve("img").resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                h.append("<figure><img src=\"img/").append(esc(name)).append("\" alt=\"").append(esc(p.getKey()))
                        .append("\"><figcaption>").append(esc(p.getKey())).append("</figcaption></figure>\n");
            }
            h.append("</section>\n");
            attention(h, data, dir);
            predictions(h, data, dataset, dir);
            h.append("<footer>Made by captioner. Open this file from disk; it needs no network.</footer>\n");
            h.append("</main></body></html>\n");
            Path index = dir.resolve(INDEX);
            AtomicFiles.writeString(index, h.toString());
            return index;
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot write the report: " + e.getMessage(), e);
        }
    }

    private static void attention(StringBuilder h, ReportData data, Path dir) throws IOException {
        if (data.attentionPictures().isEmpty()) {
            return;
        }
        h.append("<section id=\"attention\"><h2>Where the model looked</h2>\n<p class=\"note\">Greedy captions of the ")
                .append("first test images; each word's panel shows its attention weights over the image's ")
                .append(data.model().grid().height()).append(" × ").append(data.model().grid().width())
                .append(" grid, upsampled and laid over the image (bright: where the model looked).</p>\n");
        for (Path p : data.attentionPictures()) {
            String name = "attention-" + p.getFileName();
            Files.copy(p, dir.resolve("img").resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            h.append("<figure><img src=\"img/").append(esc(name)).append("\" alt=\"attention of ")
                    .append(esc(p.getFileName().toString())).append("\"></figure>\n");
        }
        h.append("</section>\n");
    }

    private static void metrics(StringBuilder h, ReportData data) {
        h.append("<section><h2>Scores on the ").append(data.metrics().isEmpty() ? "test" : esc(data.metrics().get(0).split()))
                .append(" split</h2>\n<table id=\"metrics\"><thead><tr><th>model</th><th>decoding</th><th>images</th>")
                .append("<th>BLEU-1</th><th>BLEU-2</th><th>BLEU-3</th><th>BLEU-4</th><th>CIDEr-D</th><th>ROUGE-L</th>")
                .append("<th>bad endings</th><th>repeated trigrams</th><th>distinct captions</th><th>mean length</th>")
                .append("</tr></thead><tbody>\n");
        rows(h, data.metrics(), "cross-entropy");
        rows(h, data.finetuned(), "fine-tuned on CIDEr-D");
        h.append("</tbody></table><p class=\"note\">BLEU as NLTK's corpus_bleu (uniform weights, no smoothing); ")
                .append("CIDEr-D and ROUGE-L as coco-caption; cleaned tokens without startseq/endseq. Bad endings: ")
                .append("captions ending in a, the, of, with and the like; repeated trigrams: captions with a trigram ")
                .append("twice; distinct: different captions over captions.</p></section>\n");
    }

    private static void rows(StringBuilder h, List<Metrics> metrics, String model) {
        for (Metrics m : metrics) {
            h.append("<tr><td>").append(esc(model)).append("</td><td>").append(m.beam() <= 1 ? "greedy" : "beam " + m.beam())
                    .append("</td><td>").append(m.images()).append("</td>");
            for (double v : new double[] {m.bleu1(), m.bleu2(), m.bleu3(), m.bleu4(), m.cider(), m.rougeL()}) {
                h.append("<td class=\"num\">").append(String.format(Locale.ROOT, "%.4f", v)).append("</td>");
            }
            CaptionHabits c = m.habits() == null ? new CaptionHabits(Double.NaN, Double.NaN, Double.NaN, Double.NaN)
                    : m.habits();
            for (double v : new double[] {100 * c.badEndings(), 100 * c.repeatedTrigrams(), 100 * c.distinct()}) {
                h.append("<td class=\"num\">").append(String.format(Locale.ROOT, "%.1f %%", v)).append("</td>");
            }
            h.append("<td class=\"num\">").append(String.format(Locale.ROOT, "%.1f", c.meanLength())).append("</td></tr>\n");
        }
    }

    private static void stats(StringBuilder h, DatasetStats s) {
        h.append("<section><h2>Dataset</h2><table class=\"kv\">\n");
        row(h, "images", s.images() + (s.imagesMissing() > 0 ? " (" + s.imagesMissing() + " without a file)" : ""));
        row(h, "captions", String.valueOf(s.captions()));
        row(h, "splits", "train " + s.splits().get("train") + ", dev " + s.splits().get("dev") + ", test "
                + s.splits().get("test"));
        row(h, "distinct words", String.valueOf(s.words()));
        row(h, "vocabulary size", s.vocabularySize() + " (training split: " + s.trainVocabularySize() + ")");
        row(h, "caption length", String.format(Locale.ROOT, "max %d, mean %.2f tokens with markers", s.maxLength(),
                s.meanLength()));
        h.append("</table></section>\n");
    }

    private static void settings(StringBuilder h, ReportData d) {
        h.append("<section><h2>Model and training</h2><table class=\"kv\">\n");
        row(h, "architecture", d.model().architecture().id() + ", embedding " + d.model().embed() + ", units "
                + d.model().units() + ", dropout " + d.model().dropout());
        row(h, "vocabulary", d.model().vocabularySize() + " (cleaning " + d.model().cleaning().id() + ", min count "
                + d.model().minCount() + "), max length " + d.model().maxLength());
        row(h, "encoder", d.model().encoder().name() + ", " + d.model().encoder().featureDim() + "-d features at "
                + d.model().encoder().imageSize() + " px");
        if (d.train() != null) {
            row(h, "training", String.format(Locale.ROOT, "Adam lr %s, batch %d, clip %s, patience %d, objective %s, seed %d",
                    d.train().learningRate(), d.train().batchSize(), d.train().clipNorm(), d.train().patience(),
                    d.train().objective().id(), d.train().seed()));
        }
        if (!d.history().isEmpty()) {
            EpochRecord best = d.history().stream().min(java.util.Comparator.comparingDouble(EpochRecord::devLoss))
                    .orElse(d.history().get(d.history().size() - 1));
            row(h, "epochs", String.format(Locale.ROOT, "%d trained; best dev loss %.4f at epoch %d; %.0f tokens/s",
                    d.history().size(), best.devLoss(), best.epoch(), best.tokensPerSecond()));
        }
        h.append("</table></section>\n");
    }

    private static void predictions(StringBuilder h, ReportData d, Dataset dataset, Path dir) throws IOException {
        h.append("<section><h2>Test images</h2><table id=\"predictions\"><thead><tr><th>image</th><th>generated</th>")
                .append("<th>references</th><th>BLEU-4</th></tr></thead><tbody>\n");
        int n = 0;
        for (Prediction p : d.predictions()) {
            if (n++ >= THUMBNAILS) {
                break;
            }
            String thumb = thumbnail(dataset, p.image(), dir);
            h.append("<tr><td>");
            if (thumb != null) {
                h.append("<img class=\"thumb\" src=\"thumbs/").append(esc(thumb)).append("\" alt=\"")
                        .append(esc(p.image())).append("\">");
            }
            h.append("<div class=\"name\">").append(esc(p.image())).append("</div></td><td><b>")
                    .append(esc(p.caption())).append("</b>");
            String beam = d.beamCaptions().get(p.image());
            if (beam != null) {
                h.append("<div class=\"beam\">beam: ").append(esc(beam)).append("</div>");
            }
            h.append("</td><td><ul>");
            for (String r : p.references()) {
                h.append("<li>").append(esc(r)).append("</li>");
            }
            h.append("</ul></td><td class=\"num\">").append(String.format(Locale.ROOT, "%.3f", p.bleu4()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody></table>");
        if (d.predictions().size() > THUMBNAILS) {
            h.append("<p class=\"note\">The first ").append(THUMBNAILS).append(" of ").append(d.predictions().size())
                    .append(" test images; all are in predictions.jsonl.</p>");
        }
        h.append("</section>\n");
    }

    private static String thumbnail(Dataset dataset, String image, Path dir) throws IOException {
        ImageRecord r = dataset.image(image).orElse(null);
        BufferedImage img = r == null ? null : Thumbnails.load(dataset, r);
        if (img == null) {
            return null;
        }
        int w = 160;
        int hgt = Math.max(1, img.getHeight() * w / img.getWidth());
        BufferedImage small = new BufferedImage(w, hgt, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, hgt, null);
        g.dispose();
        String name = image.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!name.toLowerCase(Locale.ROOT).endsWith(".jpg")) {
            name = name + ".jpg";
        }
        Path file = dir.resolve("thumbs").resolve(name);
        AtomicFiles.write(file, o -> ImageIO.write(small, "jpg", o));
        return name;
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#222}
            main{max-width:1100px;margin:0 auto;padding:24px}
            h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
            .sub{color:#555;margin-top:0}.note{color:#666;font-size:90%}
            table{border-collapse:collapse;background:#fff;width:100%}
            th,td{border:1px solid #e2e2e2;padding:6px 8px;text-align:left;vertical-align:top}
            thead th{background:#eef2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
            table.kv th{width:180px;background:#fafafa}
            figure{margin:16px 0;background:#fff;border:1px solid #e2e2e2;padding:8px}
            figure img{max-width:100%;height:auto;display:block;margin:auto}
            figcaption{color:#555;font-size:90%;margin-top:6px}
            img.thumb{width:160px;height:auto;display:block}.name{font-size:80%;color:#777}
            .beam{color:#555;margin-top:4px}ul{margin:0;padding-left:18px}
            footer{margin:32px 0;color:#888;font-size:85%}
            @media (max-width:640px){main{padding:10px}img.thumb{width:100px}th,td{padding:4px}}
            """;
}
