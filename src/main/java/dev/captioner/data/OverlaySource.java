package dev.captioner.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Several sources seen as one tree, the first that has a path winning; e.g. a folder holding
 * Flickr8k's two downloaded zips, each read in place.
 */
public final class OverlaySource implements DataSource {

    private final List<DataSource> layers;

    /** @param layers sources in order of precedence; closed with this one */
    public OverlaySource(List<DataSource> layers) {
        this.layers = List.copyOf(layers);
    }

    @Override
    public boolean isFile(String path) {
        return layers.stream().anyMatch(l -> l.isFile(path));
    }

    @Override
    public boolean isDirectory(String path) {
        return layers.stream().anyMatch(l -> l.isDirectory(path));
    }

    @Override
    public Set<String> list(String dir) {
        Set<String> all = new TreeSet<>();
        layers.forEach(l -> all.addAll(l.list(dir)));
        return all;
    }

    @Override
    public Set<String> listDirectories(String dir) {
        Set<String> all = new TreeSet<>();
        layers.forEach(l -> all.addAll(l.listDirectories(dir)));
        return all;
    }

    @Override
    public InputStream open(String path) throws IOException {
        for (DataSource l : layers) {
            if (l.isFile(path)) {
                return l.open(path);
            }
        }
        throw new FileNotFoundException(describe(path));
    }

    @Override
    public String describe(String path) {
        for (DataSource l : layers) {
            if (l.isFile(path)) {
                return l.describe(path);
            }
        }
        return layers.get(0).describe(path);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (DataSource l : layers) {
            try {
                l.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
