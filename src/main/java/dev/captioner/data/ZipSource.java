package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A zip archive read in place, without unzipping. Entries whose names would escape the archive
 * root ({@code ../x}, {@code /etc/x}) are refused when the archive is opened. macOS resource
 * forks ({@code __MACOSX/}) are ignored.
 */
public final class ZipSource implements DataSource {

    private final Path zipPath;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries = new HashMap<>();
    private final Map<String, Set<String>> files = new HashMap<>();
    private final Map<String, Set<String>> dirs = new HashMap<>();

    /**
     * Opens and indexes an archive.
     *
     * @param zipPath the archive
     * @throws IOException if it cannot be read as a zip file
     */
    public ZipSource(Path zipPath) throws IOException {
        this.zipPath = zipPath;
        this.zip = new ZipFile(zipPath.toFile());
        try {
            index();
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private void index() {
        dirs.put("", new TreeSet<>());
        files.put("", new TreeSet<>());
        Enumeration<? extends ZipEntry> all = zip.entries();
        while (all.hasMoreElements()) {
            ZipEntry e = all.nextElement();
            String raw = e.getName();
            String problem = SafePaths.problem(raw);
            if (problem != null) {
                throw new CaptionerException(zipPath + ": entry '" + raw + "' refused: " + problem);
            }
            String name = SafePaths.normalize(raw);
            if (name.isEmpty() || name.startsWith("__MACOSX")) {
                continue;
            }
            String[] parts = name.split("/");
            String dir = "";
            int dirParts = e.isDirectory() ? parts.length : parts.length - 1;
            for (int i = 0; i < dirParts; i++) {
                dirs.computeIfAbsent(dir, k -> new TreeSet<>()).add(parts[i]);
                dir = DataSource.join(dir, parts[i]);
                dirs.computeIfAbsent(dir, k -> new TreeSet<>());
                files.computeIfAbsent(dir, k -> new TreeSet<>());
            }
            if (!e.isDirectory()) {
                files.computeIfAbsent(dir, k -> new TreeSet<>()).add(parts[parts.length - 1]);
                entries.put(name, e);
            }
        }
    }

    @Override
    public boolean isFile(String path) {
        return entries.containsKey(path);
    }

    @Override
    public boolean isDirectory(String path) {
        return dirs.containsKey(path);
    }

    @Override
    public Set<String> list(String dir) {
        return Collections.unmodifiableSet(files.getOrDefault(dir, Set.of()));
    }

    @Override
    public Set<String> listDirectories(String dir) {
        return Collections.unmodifiableSet(dirs.getOrDefault(dir, Set.of()));
    }

    @Override
    public InputStream open(String path) throws IOException {
        ZipEntry e = entries.get(path);
        if (e == null) {
            throw new FileNotFoundException(describe(path));
        }
        return zip.getInputStream(e);
    }

    @Override
    public String describe(String path) {
        return zipPath + "!" + path;
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
