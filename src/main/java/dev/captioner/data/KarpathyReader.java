package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Karpathy's split files ({@code dataset_flickr8k.json}, {@code dataset_flickr30k.json},
 * {@code dataset_coco.json}): {@code images[].filename}, optional {@code images[].filepath},
 * {@code images[].split} ({@code restval} counts as train) and {@code images[].sentences[].raw}.
 * The image folder is found by looking for the first images under the usual folder names.
 */
final class KarpathyReader implements FormatReader {

    private static final String[] IMAGE_DIRS = {
        "", "images", "Images", "Flicker8k_Dataset", "Flickr8k_Dataset", "flickr30k_images",
        "flickr30k_images/flickr30k_images", "flickr30k-images", "coco", "coco/images"
    };

    record File(List<Image> images) {}

    record Image(String filename, String filepath, String split, List<Sentence> sentences) {}

    record Sentence(String raw) {}

    @Override
    public boolean detect(DataSource source, String hint) {
        return file(source, hint, false) != null;
    }

    private static String file(DataSource source, String hint, boolean failIfAmbiguous) {
        if (hint != null) {
            return source.isFile(hint) ? hint : null;
        }
        List<String> candidates = source.list("").stream()
                .filter(n -> n.startsWith("dataset_") && n.endsWith(".json"))
                .collect(Collectors.toList());
        if (candidates.size() > 1 && failIfAmbiguous) {
            throw new CaptionerException(source.describe("") + ": several Karpathy files (" + String.join(", ", candidates)
                    + "); pass the one to use as --data");
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    @Override
    public Result read(DataSource source, String hint, LoadSpec options) {
        String path = file(source, hint, true);
        String file = source.describe(path);
        File json = JsonFiles.read(source, path, File.class);
        if (json.images() == null) {
            throw new CaptionerException(file + ": no 'images' array");
        }
        String base = imageBase(source, json.images());
        CaptionTable table = new CaptionTable(options.lenient());
        Map<String, Split> splits = new HashMap<>();
        for (int i = 0; i < json.images().size(); i++) {
            Image img = json.images().get(i);
            String field = file + ": images[" + i + "]";
            if (img == null || img.filename() == null || img.filename().isBlank()) {
                table.malformed(field + ".filename", "missing image file name");
                continue;
            }
            if (img.sentences() == null) {
                table.malformed(field + ".sentences", "missing sentences");
                continue;
            }
            String rel = relative(img);
            for (int k = 0; k < img.sentences().size(); k++) {
                Sentence s = img.sentences().get(k);
                if (s == null || s.raw() == null || s.raw().isBlank()) {
                    table.malformed(field + ".sentences[" + k + "].raw", "missing caption");
                    continue;
                }
                table.add(field + ".filename", img.filename(), DataSource.join(base, rel), s.raw().trim());
            }
            Split split = img.split() == null ? null : Split.parse(img.split());
            if (split == null) {
                table.malformed(field + ".split", "unknown split '" + img.split() + "'");
                continue;
            }
            splits.put(SafePaths.normalize(img.filename()), split);
        }
        return new Result(table, splits);
    }

    private static String relative(Image img) {
        String fp = img.filepath();
        return fp == null || fp.isBlank() ? img.filename() : fp + "/" + img.filename();
    }

    private static String imageBase(DataSource source, List<Image> images) {
        for (String base : IMAGE_DIRS) {
            if (!base.isEmpty() && !source.isDirectory(base)) {
                continue;
            }
            int probes = 0;
            for (Image img : images) {
                if (img == null || img.filename() == null || probes++ == 20) {
                    break;
                }
                String rel = relative(img);
                if (SafePaths.problem(rel) == null && source.isFile(DataSource.join(base, SafePaths.normalize(rel)))) {
                    return base;
                }
            }
        }
        return "";
    }

    @Override
    public String expects() {
        return "dataset_*.json";
    }
}
