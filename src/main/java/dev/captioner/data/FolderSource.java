package dev.captioner.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** A dataset that lies in a folder on disk. Directory listings are read once and cached. */
public final class FolderSource implements DataSource {

    private final Path root;
    private final Map<String, Set<String>> files = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> dirs = new ConcurrentHashMap<>();

    /** @param root the dataset folder */
    public FolderSource(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String path) {
        if (SafePaths.problem(path) != null && !path.isEmpty()) {
            throw new IllegalArgumentException("unsafe path " + path);
        }
        Path p = root.resolve(SafePaths.normalize(path)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("unsafe path " + path);
        }
        return p;
    }

    @Override
    public boolean isFile(String path) {
        String dir = parent(path);
        return list(dir).contains(path.substring(dir.isEmpty() ? 0 : dir.length() + 1));
    }

    @Override
    public boolean isDirectory(String path) {
        return Files.isDirectory(resolve(path));
    }

    @Override
    public Set<String> list(String dir) {
        return files.computeIfAbsent(dir, d -> scan(d, false));
    }

    @Override
    public Set<String> listDirectories(String dir) {
        return dirs.computeIfAbsent(dir, d -> scan(d, true));
    }

    private Set<String> scan(String dir, boolean directories) {
        Path d = resolve(dir);
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(d)) {
            return names;
        }
        try (Stream<Path> s = Files.list(d)) {
            s.filter(p -> directories ? Files.isDirectory(p) : Files.isRegularFile(p))
                    .forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + d + ": " + e.getMessage(), e);
        }
        return names;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Files.newInputStream(resolve(path));
    }

    @Override
    public String describe(String path) {
        return resolve(path).toString();
    }

    /** @return the folder */
    public Path root() {
        return root;
    }

    @Override
    public void close() {}
}
