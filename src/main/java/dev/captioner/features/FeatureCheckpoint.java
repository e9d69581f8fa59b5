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
    private final Map<String, RowRef> rows = new LinkedHashMap<>();
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

    /**
     * Checks a whole chunk's layout and notes where its rows are (they are read again when the
     * feature file is written); nothing of a chunk that fails half-way is kept.
     */
    private Map<String, RowRef> readChunk(Path chunk) throws IOException {
        Map<String, RowRef> read = new LinkedHashMap<>();
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
            long at = 12;
            long[] offsets = new long[count];
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                int idLength = in.readUnsignedShort();
                ids.add(new String(in.readNBytes(idLength), java.nio.charset.StandardCharsets.UTF_8));
                at += 2 + idLength;
                offsets[i] = at;
                in.skipNBytes((long) dim * Float.BYTES);
                at += (long) dim * Float.BYTES;
            }
            if (in.read() != -1) {
                throw new IOException("data after the last row");
            }
            ChunkRows chunkRows = new ChunkRows(chunk, offsets, dim);
            for (int i = 0; i < count; i++) {
                read.put(ids.get(i), new RowRef(chunkRows, i));
            }
        }
        return read;
    }

    /** @return where the rows finished so far are, by image name */
    synchronized Map<String, RowRef> rows() {
        return new LinkedHashMap<>(rows);
    }

    /** Saves a batch of finished rows as the next chunk; the rows are then read from it, not kept. */
    synchronized void append(Map<String, float[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Path chunk = dir.resolve(String.format("chunk-%06d.bin", nextChunk++));
        long[] offsets = new long[batch.size()];
        AtomicFiles.write(chunk, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
            out.writeInt(MAGIC);
            out.writeInt(batch.size());
            out.writeInt(meta.featureDim());
            int i = 0;
            for (Map.Entry<String, float[]> e : batch.entrySet()) {
                out.writeUTF(e.getKey());
                offsets[i++] = out.size();
                for (float v : e.getValue()) {
                    out.writeFloat(v);
                }
            }
            out.flush();
        });
        ChunkRows chunkRows = new ChunkRows(chunk, offsets, meta.featureDim());
        int i = 0;
        for (String id : batch.keySet()) {
            rows.put(id, new RowRef(chunkRows, i++));
        }
    }

    /** The rows of one chunk file, read when asked for (big-endian, as {@link DataOutputStream} wrote them). */
    private record ChunkRows(Path file, long[] offsets, int dim) implements FeatureRows {

        @Override
        public int size() {
            return offsets.length;
        }

        @Override
        public void copy(int row, float[] dst, int offset) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(dim * Float.BYTES);
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(file)) {
                while (buffer.hasRemaining()) {
                    if (c.read(buffer, offsets[row] + buffer.position()) < 0) {
                        throw new IOException("the chunk ends inside row " + row);
                    }
                }
            } catch (IOException e) {
                throw new CaptionerException(file + ": cannot read checkpoint row " + row + ": " + e.getMessage(), e);
            }
            buffer.flip();
            buffer.asFloatBuffer().get(dst, offset, dim);
        }
    }

    /** Removes the checkpoint once the feature file is complete. */
    void delete() {
        FileTrees.delete(dir);
    }

}
