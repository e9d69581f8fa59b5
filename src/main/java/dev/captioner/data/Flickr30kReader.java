package dev.captioner.data;

/**
 * Flickr30k: {@code results_20130124.token} (Flickr8k's token layout) or Kaggle's
 * {@code results.csv} ({@code image_name| comment_number| comment}), with the images in
 * {@code flickr30k_images/} (Kaggle nests a second {@code flickr30k_images/} inside).
 */
final class Flickr30kReader implements FormatReader {

    private static final String[] TOKEN = {"results_20130124.token", "flickr30k_images/results_20130124.token"};
    private static final String[] CSV = {"results.csv", "flickr30k_images/results.csv"};

    @Override
    public boolean detect(DataSource source, String hint) {
        return Layouts.firstFile(source, TOKEN) != null || Layouts.firstFile(source, CSV) != null;
    }

    @Override
    public Result read(DataSource source, String hint, LoadSpec options) {
        String imageDir = imageDir(source);
        CaptionTable table = new CaptionTable(options.lenient());
        String token = Layouts.firstFile(source, TOKEN);
        if (token != null) {
            TokenFile.read(source, token, imageDir, table);
        } else {
            readCsv(source, Layouts.firstFile(source, CSV), imageDir, table);
        }
        return new Result(table, SplitLists.read(source, ""));
    }

    private static String imageDir(DataSource source) {
        if (source.isDirectory("flickr30k_images/flickr30k_images")
                && !source.list("flickr30k_images/flickr30k_images").isEmpty()) {
            return "flickr30k_images/flickr30k_images";
        }
        return Layouts.firstDirectory(source, "flickr30k_images", "flickr30k-images", "Images", "images");
    }

    private static void readCsv(DataSource source, String path, String imageDir, CaptionTable table) {
        String file = source.describe(path);
        TextLines.forEach(source, path, (n, line) -> {
            if (line.isBlank() || (n == 1 && line.trim().startsWith("image_name"))) {
                return;
            }
            String where = file + ":" + n;
            String[] parts = line.split("\\|", 3);
            if (parts.length != 3) {
                table.malformed(where, "expected 'image_name| comment_number| comment', found "
                        + parts.length + " field" + (parts.length == 1 ? "" : "s"));
                return;
            }
            String name = parts[0].trim();
            String number = parts[1].trim();
            String caption = parts[2].trim();
            if (name.isEmpty() || number.isEmpty() || !number.chars().allMatch(Character::isDigit)) {
                table.malformed(where, "expected an image name and a comment number, found '"
                        + parts[0].trim() + "|" + parts[1].trim() + "'");
                return;
            }
            if (caption.isEmpty()) {
                table.malformed(where, "empty caption");
                return;
            }
            table.add(where, name, DataSource.join(imageDir, name), caption);
        });
    }

    @Override
    public String expects() {
        return "results_20130124.token or results.csv";
    }
}
