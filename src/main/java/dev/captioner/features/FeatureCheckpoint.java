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
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
    private static final String META = "meta.json";
    private static final Pattern CHUNK = Pattern.compile("chunk-\\d{6,}\\.bin");

    /** What the rows were computed with; a checkpoint is reused only if all of it matches. */
    record Meta(String encoder, String weightsSha256, int featureDim, int imageSize, String grid) {}

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
     * settings. An unreadable {@code meta.json} starts the checkpoint afresh and an unreadable
     * chunk is dropped, each with a warning on {@code log}: the rows they held are computed again.
     */
    static FeatureCheckpoint open(Path out, Meta meta, PrintStream log) {
        Path dir = dirFor(out);
        FeatureCheckpoint cp = new FeatureCheckpoint(dir, meta);
        try {
            if (!matches(dir, meta, log)) {
                FileTrees.delete(dir);
                Files.createDirectories(dir);
                AtomicFiles.write(dir.resolve(META), MAPPER.writeValueAsBytes(meta));
                return cp;
            }
            List<Path> chunks;
            try (Stream<Path> s = Files.list(dir)) {
                chunks = s.filter(p -> CHUNK.matcher(p.getFileName().toString()).matches())
                        .sorted(Comparator.comparing(Path::toString)).toList();
            }
            for (Path c : chunks) {
                String name = c.getFileName().toString();
                cp.nextChunk = Math.max(cp.nextChunk, Integer.parseInt(name.substring(6, name.length() - 4)) + 1);
                try {
                    cp.rows.putAll(cp.readChunk(c));
                } catch (IOException | RuntimeException e) {
                    log.println("features: warning: dropping unreadable checkpoint chunk " + c + " (" + e.getMessage()
                            + "); its images are computed again");
                    Files.deleteIfExists(c);
                }
            }
            return cp;
        } catch (IOException e) {
            throw new CaptionerException(dir + ": cannot use the checkpoint folder: " + e.getMessage(), e);
        }
    }

    /** Whether the folder holds a checkpoint made with {@code meta}. */
    private static boolean matches(Path dir, Meta meta, PrintStream log) {
        Path file = dir.resolve(META);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return meta.equals(MAPPER.readValue(file.toFile(), Meta.class));
        } catch (IOException e) {
            log.println("features: warning: unreadable " + file + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "); starting the checkpoint afresh");
            return false;
        }
    }

    /** Reads a whole chunk; nothing of a chunk that fails half-way is kept. */
    private Map<String, float[]> readChunk(Path chunk) throws IOException {
        Map<String, float[]> read = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(chunk);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a checkpoint chunk");
            }
            int count = in.readInt();
            int dim = in.readInt();
            if (dim != meta.featureDim() || count < 0 || (long) count * dim * 4 > Files.size(chunk)) {
                throw new IOException("header says " + count + " rows of " + dim + " values");
            }
            for (int i = 0; i < count; i++) {
                String id = in.readUTF();
                float[] row = new float[dim];
                for (int j = 0; j < dim; j++) {
                    row[j] = in.readFloat();
                }
                read.put(id, row);
            }
            if (in.read() != -1) {
                throw new IOException("data after the last row");
            }
        }
        return read;
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
