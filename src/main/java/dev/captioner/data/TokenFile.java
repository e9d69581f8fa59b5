package dev.captioner.data;

/**
 * Parses Flickr's token files ({@code Flickr8k.token.txt}, {@code results_20130124.token}):
 * one caption per line, {@code name.jpg#k<TAB>caption} (a space instead of the tab is accepted).
 */
final class TokenFile {

    private TokenFile() {}

    /**
     * Adds every caption of a token file to the table.
     *
     * @param source the dataset root
     * @param path the token file
     * @param imageDir the folder the named images are in
     * @param table where the captions go
     */
    static void read(DataSource source, String path, String imageDir, CaptionTable table) {
        String file = source.describe(path);
        TextLines.forEach(source, path, (n, line) -> {
            if (line.isBlank()) {
                return;
            }
            String where = file + ":" + n;
            int tab = line.indexOf('\t');
            if (tab < 0) {
                // Copies circulate with the tab turned into spaces; the id still ends at the
                // first blank.
                tab = firstBlank(line);
            }
            if (tab < 0) {
                table.malformed(where, "expected 'name.jpg#k<TAB>caption', found no tab");
                return;
            }
            String id = line.substring(0, tab).trim();
            String caption = line.substring(tab + 1).trim();
            int hash = id.lastIndexOf('#');
            if (hash <= 0 || hash == id.length() - 1 || !id.substring(hash + 1).chars().allMatch(Character::isDigit)) {
                table.malformed(where, "expected 'name.jpg#k' before the tab, found '" + id + "'");
                return;
            }
            if (caption.isEmpty()) {
                table.malformed(where, "empty caption");
                return;
            }
            String name = id.substring(0, hash);
            table.add(where, name, DataSource.join(imageDir, name), caption);
        });
    }

    private static int firstBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
