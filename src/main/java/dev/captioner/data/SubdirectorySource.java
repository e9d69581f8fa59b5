package dev.captioner.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * A view of one directory of another source as its root; used when an archive wraps the whole
 * dataset in a single top-level folder.
 */
public final class SubdirectorySource implements DataSource {

    private final DataSource parent;
    private final String prefix;

    /**
     * @param parent the source to look into; closed with this one
     * @param prefix the directory that becomes the root
     */
    public SubdirectorySource(DataSource parent, String prefix) {
        this.parent = parent;
        this.prefix = prefix;
    }

    private String full(String path) {
        return path.isEmpty() ? prefix : prefix + "/" + path;
    }

    @Override
    public boolean isFile(String path) {
        return parent.isFile(full(path));
    }

    @Override
    public boolean isDirectory(String path) {
        return parent.isDirectory(full(path));
    }

    @Override
    public Set<String> list(String dir) {
        return parent.list(full(dir));
    }

    @Override
    public Set<String> listDirectories(String dir) {
        return parent.listDirectories(full(dir));
    }

    @Override
    public InputStream open(String path) throws IOException {
        return parent.open(full(path));
    }

    @Override
    public String describe(String path) {
        return parent.describe(full(path));
    }

    @Override
    public void close() throws IOException {
        parent.close();
    }
}
