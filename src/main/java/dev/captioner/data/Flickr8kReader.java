package dev.captioner.data;

/**
 * Official Flickr8k: {@code Flickr8k_text/Flickr8k.token.txt} and the split lists beside it,
 * images in {@code Flicker8k_Dataset/} (the original misspelling) or {@code Flickr8k_Dataset/}.
 * The two downloaded zips, overlaid by {@link DatasetLoader}, look the same to this reader.
 */
final class Flickr8kReader implements FormatReader {

    private static final String[] TOKEN_FILES = {"Flickr8k_text/Flickr8k.token.txt", "Flickr8k.token.txt"};

    @Override
    public boolean detect(DataSource source, String hint) {
        return Layouts.firstFile(source, TOKEN_FILES) != null;
    }

    @Override
    public Result read(DataSource source, String hint, LoadSpec options) {
        String token = Layouts.firstFile(source, TOKEN_FILES);
        String imageDir = Layouts.firstDirectory(source, "Flicker8k_Dataset", "Flickr8k_Dataset", "Images");
        CaptionTable table = new CaptionTable(options.lenient());
        TokenFile.read(source, token, imageDir, table);
        return new Result(table, SplitLists.read(source, Layouts.parent(token)));
    }

    @Override
    public String expects() {
        return "Flickr8k_text/Flickr8k.token.txt";
    }
}
