package dev.captioner.features;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.FileTrees;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finished rows of an unfinished feature extraction, kept beside the output in
 * {@code OUT.partial/} as numbered chunk files, each written atomically. A re-run with the same
 * encoder and weights reads them back and computes only what is missing; a run with other
 * settings starts afresh. The folder is removed once the feature file is written.
 */
final class FeatureCheckpoint {

    private static final int MAGIC = 0x43415046; // "CAPF"
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the rows were computed with; a checkpoint is reused only if all of it matches. */
    record Meta(String encoder, String weightsSha256, int featureDim, int imageSize) {}

    private final Path dir;
    private final Meta meta;
    private final Map<String, float[]> rows = new LinkedHashMap<>();
    private int nextChunk;

    private FeatureCheckpoint(Path dir, Meta meta) {
        this.dir = dir;
        this.meta = meta;
    }

    static Path dirFor(Path out) {
        return out.resolveSibling(out.getFileName() + ".partial");
    }

    /**
     * Opens the checkpoint of {@code out}, keeping earlier rows if they were made with the same
     * settings.
     */
    static FeatureCheckpoint open(Path out, Meta meta) {
        Path dir = dirFor(out);
        FeatureCheckpoint cp = new FeatureCheckpoint(dir, meta);
        try {
            Path metaFile = dir.resolve("meta.json");
            boolean reuse = Files.isRegularFile(metaFile) && meta.equals(MAPPER.readValue(metaFile.toFile(), Meta.class));
            if (!reuse) {
                FileTrees.delete(dir);
                Files.createDirectories(dir);
                AtomicFiles.write(metaFile, MAPPER.writeValueAsBytes(meta));
                return cp;
            }
            List<Path> chunks;
            try (Stream<Path> s = Files.list(dir)) {
                chunks = s.filter(p -> p.getFileName().toString().matches("chunk-\\d+\\.bin"))
                        .sorted(Comparator.comparing(Path::toString)).toList();
            }
            for (Path c : chunks) {
                cp.readChunk(c);
                int n = Integer.parseInt(c.getFileName().toString().replaceAll("\\D", ""));
                cp.nextChunk = Math.max(cp.nextChunk, n + 1);
            }
            return cp;
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot use the checkpoint folder: " + e.getMessage(), e);
        }
    }

    private void readChunk(Path chunk) throws IOException {
        try (InputStream raw = Files.newInputStream(chunk);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC) {
                return;
            }
            int count = in.readInt();
            int dim = in.readInt();
            if (dim != meta.featureDim()) {
                return;
            }
            for (int i = 0; i < count; i++) {
                String id = in.readUTF();
                float[] row = new float[dim];
                for (int j = 0; j < dim; j++) {
                    row[j] = in.readFloat();
                }
                rows.put(id, row);
            }
        }
    }

    /** @return rows finished so far, by image name */
    synchronized Map<String, float[]> rows() {
        return new LinkedHashMap<>(rows);
    }

    /** Saves a batch of finished rows as the next chunk. */
    synchronized void append(Map<String, float[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Path chunk = dir.resolve(String.format("chunk-%06d.bin", nextChunk++));
        AtomicFiles.write(chunk, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
            out.writeInt(MAGIC);
            out.writeInt(batch.size());
            out.writeInt(meta.featureDim());
            for (Map.Entry<String, float[]> e : batch.entrySet()) {
                out.writeUTF(e.getKey());
                for (float v : e.getValue()) {
                    out.writeFloat(v);
                }
            }
            out.flush();
        });
        rows.putAll(batch);
    }

    /** Removes the checkpoint once the feature file is complete. */
    void delete() {
        FileTrees.delete(dir);
    }

}
