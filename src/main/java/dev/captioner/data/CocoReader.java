package dev.captioner.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * MS-COCO captions: {@code annotations/captions_train2014.json} and
 * {@code annotations/captions_val2014.json} (or 2017), images in {@code train2014/} and
 * {@code val2014/} beside {@code annotations/} (or under {@code images/}). COCO publishes no
 * test captions, so train images form the training split and the val images are divided into
 * dev and test halves, drawn with the seed.
 */
final class CocoReader implements FormatReader {

    private static final String[] YEARS = {"2014", "2017"};

    record File(List<Image> images, List<Annotation> annotations) {}

    record Image(Long id, String file_name) {}

    record Annotation(Long image_id, String caption) {}

    @Override
    public boolean detect(DataSource source, String hint) {
        for (String year : YEARS) {
            for (String part : new String[] {"train", "val"}) {
                if (source.isFile(annotationFile(part, year))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String annotationFile(String part, String year) {
        return "annotations/captions_" + part + year + ".json";
    }

    @Override
    public Result read(DataSource source, String hint, LoadSpec options) {
        CaptionTable table = new CaptionTable(options.lenient());
        Map<String, Split> splits = new HashMap<>();
        List<String> valNames = new ArrayList<>();
        for (String year : YEARS) {
            for (String part : new String[] {"train", "val"}) {
                String path = annotationFile(part, year);
                if (!source.isFile(path)) {
                    continue;
                }
                String imageDir = Layouts.firstDirectory(source, part + year, "images/" + part + year);
                List<String> names = readFile(source, path, imageDir, table);
                if (part.equals("train")) {
                    names.forEach(n -> splits.put(n, Split.TRAIN));
                } else {
                    valNames.addAll(names);
                }
            }
        }
        // COCO has no public test captions: half of val becomes dev, half test.
        halve(valNames, options.seed(), splits);
        return new Result(table, splits);
    }

    private static void halve(List<String> names, long seed, Map<String, Split> splits) {
        List<String> order = new ArrayList<>(names);
        order.sort(null);
        Collections.shuffle(order, new Random(seed));
        for (int i = 0; i < order.size(); i++) {
            splits.put(order.get(i), i < order.size() / 2 ? Split.DEV : Split.TEST);
        }
    }

    private static List<String> readFile(DataSource source, String path, String imageDir, CaptionTable table) {
        String file = source.describe(path);
        File json = JsonFiles.read(source, path, File.class);
        Map<Long, String> names = new HashMap<>();
        List<String> order = new ArrayList<>();
        List<Image> images = json.images() == null ? List.of() : json.images();
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            if (img == null || img.id() == null || img.file_name() == null || img.file_name().isBlank()) {
                table.malformed(file + ": images[" + i + "]", "missing id or file_name");
                continue;
            }
            String name = CaptionTable.checkName(file + ": images[" + i + "].file_name", img.file_name());
            names.put(img.id(), name);
        }
        List<Annotation> anns = json.annotations() == null ? List.of() : json.annotations();
        for (int i = 0; i < anns.size(); i++) {
            Annotation a = anns.get(i);
            String field = file + ": annotations[" + i + "]";
            if (a == null || a.image_id() == null || !names.containsKey(a.image_id())) {
                table.malformed(field + ".image_id", "unknown image id " + (a == null ? null : a.image_id()));
                continue;
            }
            if (a.caption() == null || a.caption().isBlank()) {
                table.malformed(field + ".caption", "missing caption");
                continue;
            }
            String name = names.get(a.image_id());
            boolean first = !table.entries().containsKey(name);
            table.add(field, name, DataSource.join(imageDir, name), a.caption().trim());
            if (first) {
                order.add(name);
            }
        }
        return order;
    }

    @Override
    public String expects() {
        return "annotations/captions_{train,val}{2014,2017}.json";
    }
}
