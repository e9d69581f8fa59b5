package dev.captioner.features;

import io.jhdf.ObjectHeader;
import io.jhdf.WritableDatasetImpl;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.object.message.AttributeInfoMessage;
import io.jhdf.object.message.AttributeMessage;
import io.jhdf.object.message.DataLayoutMessage.ContiguousDataLayoutMessage;
import io.jhdf.object.message.DataSpace;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.object.message.DataTypeMessage;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.Message;
import io.jhdf.storage.HdfFileChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code features} dataset written row by row from {@link FeatureRows} rather than from one
 * Java array: jHDF's own datasets need all the data in the heap, which a Flickr8k grid store
 * (2.8 GB) does not fit. The file is the same as jHDF would write for a {@code float[N][L][D]}
 * (or {@code float[N][D]}) array: float32 little-endian, contiguous layout, object header v2.
 */
final class StreamedRowsDataset extends WritableDatasetImpl {

    private final FeatureRows rows;
    private final long[] dims;
    private final DataSpace space;

    /**
     * @param rows the rows to write, each {@code product(rowShape)} values
     * @param rowShape {@code [D]} for pooled vectors, {@code [L, D]} for grids
     * @param name the dataset's name
     * @param parent the group it goes in
     */
    StreamedRowsDataset(FeatureRows rows, int[] rowShape, String name, Group parent) {
        super(prototype(rowShape), name, parent);
        this.rows = rows;
        this.dims = new long[rowShape.length + 1];
        dims[0] = rows.size();
        long per = 1;
        for (int i = 0; i < rowShape.length; i++) {
            dims[i + 1] = rowShape[i];
            per *= rowShape[i];
        }
        if (per != rows.dim()) {
            throw new IllegalArgumentException("rows of " + rows.dim() + " values for a row shape of " + per);
        }
        this.space = DataSpace.modifyDimensions(DataSpace.fromObject(prototype(rowShape)), dims);
    }

    /** One row of the right rank, from which jHDF takes the type (float32) and the rank. */
    private static Object prototype(int[] rowShape) {
        return rowShape.length == 1 ? new float[1][rowShape[0]] : new float[1][rowShape[0]][rowShape[1]];
    }

    @Override
    public long getSize() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public long getSizeInBytes() {
        return getSize() * Float.BYTES;
    }

    @Override
    public long getStorageInBytes() {
        return getSizeInBytes();
    }

    @Override
    public int[] getDimensions() {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = Math.toIntExact(dims[i]);
        }
        return out;
    }

    @Override
    public long[] getDimensionsAsLong() {
        return dims.clone();
    }

    @Override
    public long[] getMaxSize() {
        return dims.clone();
    }

    @Override
    public Object getData() {
        throw new UnsupportedOperationException("a streamed dataset has no array; read the written file");
    }

    @Override
    public Object getDataFlat() {
        throw new UnsupportedOperationException("a streamed dataset has no array; read the written file");
    }

    /** Writes as jHDF's contiguous datasets are written, the data streamed one row at a time. */
    @Override
    public long write(HdfFileChannel channel, long position) {
        List<Message> messages = new ArrayList<>();
        messages.add(DataTypeMessage.create(getDataType()));
        messages.add(DataSpaceMessage.create(space));
        messages.add(FillValueMessage.NO_FILL);
        // The header's size must not change when the real address replaces the placeholder.
        Message placeholder = ContiguousDataLayoutMessage.create(io.jhdf.Constants.UNDEFINED_ADDRESS,
                io.jhdf.Constants.UNDEFINED_ADDRESS);
        messages.add(placeholder);
        if (!getAttributes().isEmpty()) {
            messages.add(AttributeInfoMessage.create());
            for (Map.Entry<String, Attribute> a : getAttributes().entrySet()) {
                messages.add(AttributeMessage.create(a.getKey(), a.getValue()));
            }
        }
        int headerSize = new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer().limit();
        long dataAddress = position + headerSize;
        channel.position(dataAddress);
        ByteBuffer buffer = ByteBuffer.allocate(rows.dim() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] row = new float[rows.dim()];
        for (int i = 0; i < rows.size(); i++) {
            rows.copy(i, row, 0);
            buffer.clear();
            buffer.asFloatBuffer().put(row);
            buffer.limit(row.length * Float.BYTES);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
        long size = getSizeInBytes();
        messages.set(messages.indexOf(placeholder), ContiguousDataLayoutMessage.create(dataAddress, size));
        ByteBuffer header = new ObjectHeader.ObjectHeaderV2(position, messages).toBuffer();
        long at = position;
        while (header.hasRemaining()) {
            at += channel.write(header, at);
        }
        return dataAddress + size;
    }
}
