package dev.captioner.data;

/**
 * Checks that a name read from a dataset file (an image name, an archive entry) stays inside the
 * dataset root, so that a caption file cannot make captioner read {@code /etc/passwd} or
 * {@code ../../secret}.
 */
public final class SafePaths {

    private SafePaths() {}

    /**
     * @param name a relative path as written in a dataset file
     * @return null if the name is a safe relative path, otherwise the reason it is not
     */
    public static String problem(String name) {
        if (name.isEmpty()) {
            return "empty name";
        }
        if (name.indexOf('\0') >= 0) {
            return "name contains a NUL character";
        }
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.startsWith("~") || (n.length() >= 2 && n.charAt(1) == ':' && Character.isLetter(n.charAt(0)))) {
            return "absolute name '" + name + "' is outside the dataset root";
        }
        for (String segment : n.split("/", -1)) {
            if (segment.equals("..")) {
                return "name '" + name + "' escapes the dataset root";
            }
        }
        return null;
    }

    /**
     * Normalises a safe relative name: backslashes become slashes, {@code .} and empty segments
     * are dropped.
     *
     * @param name a name for which {@link #problem(String)} returned null
     * @return the normalised relative path
     */
    public static String normalize(String name) {
        StringBuilder sb = new StringBuilder();
        for (String segment : name.replace('\\', '/').split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(segment);
        }
        return sb.toString();
    }
}
