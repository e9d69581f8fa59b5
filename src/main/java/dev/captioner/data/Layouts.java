package dev.captioner.data;

/** Small lookups the readers share. */
final class Layouts {

    private Layouts() {}

    /** @return the first candidate that is a file, or null */
    static String firstFile(DataSource source, String... candidates) {
        for (String c : candidates) {
            if (source.isFile(c)) {
                return c;
            }
        }
        return null;
    }

    /** @return the first candidate that is a directory, or {@code ""} (the root) if none is */
    static String firstDirectory(DataSource source, String... candidates) {
        for (String c : candidates) {
            if (source.isDirectory(c)) {
                return c;
            }
        }
        return "";
    }

    /** @return the parent folder of a relative path, {@code ""} at the root */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
