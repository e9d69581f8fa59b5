package dev.captioner.data;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads Flickr-style split lists: one image name per line in {@code Flickr_8k.trainImages.txt},
 * {@code Flickr_8k.devImages.txt} and {@code Flickr_8k.testImages.txt} (or {@code train.txt},
 * {@code dev.txt}, {@code test.txt}).
 */
final class SplitLists {

    private SplitLists() {}

    /**
     * @param source where the lists are
     * @param dir the folder holding them
     * @return image name to split, or null if there is no train list
     */
    static Map<String, Split> read(DataSource source, String dir) {
        Map<String, Split> splits = new HashMap<>();
        boolean found = false;
        for (Split s : Split.values()) {
            String path = find(source, dir, s);
            if (path == null) {
                continue;
            }
            found = true;
            String file = source.describe(path);
            TextLines.forEach(source, path, (n, line) -> {
                String name = line.trim();
                if (!name.isEmpty()) {
                    splits.putIfAbsent(CaptionTable.checkName(file + ":" + n, name), s);
                }
            });
        }
        return found ? splits : null;
    }

    private static String find(DataSource source, String dir, Split s) {
        String word = s == Split.DEV ? "dev" : s.id();
        for (String name : new String[] {"Flickr_8k." + word + "Images.txt", word + "Images.txt", word + ".txt"}) {
            String p = DataSource.join(dir, name);
            if (source.isFile(p)) {
                return p;
            }
        }
        return null;
    }
}
