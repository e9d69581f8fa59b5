package dev.captioner.features;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Feature rows read from the file when asked for, so a grid store larger than the heap can be
 * trained on: the rows of an uncompressed, contiguous float32 dataset at a known address, one
 * positional read per row (the operating system's page cache does the caching). Safe for many
 * threads at once; the file stays open until this object is unreachable, so a file replaced
 * meanwhile (feature files are renamed into place) is still read consistently.
 */
final class FileFeatureRows implements FeatureRows {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Path file;
    private final FileChannel channel;
    private final long address;
    private final int size;
    private final int dim;
    private final ByteOrder order;

    /**
     * @param file the HDF5 file
     * @param address absolute byte offset of the dataset's first value
     * @param size rows
     * @param dim values per row
     * @param order the values' byte order
     */
    FileFeatureRows(Path file, long address, int size, int dim, ByteOrder order) {
        this.file = file;
        this.address = address;
        this.size = size;
        this.dim = dim;
        this.order = order;
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            long end = address + (long) size * dim * Float.BYTES;
            if (address < 0 || channel.size() < end) {
                channel.close();
                throw new CaptionerException(file + ": the features dataset ends at byte " + end + " but the file has "
                        + channel.size() + " (truncated?)");
            }
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read features: " + e.getMessage(), e);
        }
        FileChannel c = channel;
        CLEANER.register(this, () -> {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do for a file that was only read
            }
        });
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public void copy(int row, float[] dst, int offset) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of " + size);
        }
        ByteBuffer buffer = ByteBuffer.allocate(dim * Float.BYTES).order(order);
        long at = address + (long) row * dim * Float.BYTES;
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, at + buffer.position());
                if (n < 0) {
                    throw new CaptionerException(file + ": the file ends inside feature row " + row);
                }
            }
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read feature row " + row + ": " + e.getMessage(), e);
        }
        buffer.flip();
        buffer.asFloatBuffer().get(dst, offset, dim);
    }
}
