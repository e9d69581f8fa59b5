package dev.captioner.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * An ImageIO plugin for files starting with {@code BOOM} whose reader fails the way real decoders
 * fail on malformed files: with an unchecked exception from deep inside ({@code read} throws
 * {@link ArrayIndexOutOfBoundsException}). Register it for a test and remove it after.
 */
public final class ThrowingDecoder extends ImageReaderSpi implements AutoCloseable {

    /** The magic bytes the plugin claims. */
    public static final byte[] MAGIC = "BOOM".getBytes(StandardCharsets.US_ASCII);

    /** Registers the plugin until closed. */
    public ThrowingDecoder() {
        // It also answers to "png": the loader tries only the readers of its five formats.
        super("captioner-test", "1", new String[] {"boom", "png"}, new String[] {"boom"}, new String[] {"image/x-boom"},
                Reader.class.getName(), new Class<?>[] {ImageInputStream.class}, null, false, null, null, null, null,
                false, null, null, null, null);
        IIORegistry.getDefaultInstance().registerServiceProvider(this, ImageReaderSpi.class);
    }

    /** @return a "file" the plugin claims: the magic, then a 10 × 10 size */
    public static byte[] file() {
        byte[] b = new byte[16];
        System.arraycopy(MAGIC, 0, b, 0, MAGIC.length);
        return b;
    }

    @Override
    public boolean canDecodeInput(Object source) throws IOException {
        if (!(source instanceof ImageInputStream in)) {
            return false;
        }
        byte[] head = new byte[MAGIC.length];
        in.mark();
        try {
            return in.read(head) == head.length && java.util.Arrays.equals(head, MAGIC);
        } finally {
            in.reset();
        }
    }

    @Override
    public ImageReader createReaderInstance(Object extension) {
        return new Reader(this);
    }

    @Override
    public String getDescription(Locale locale) {
        return "test decoder that throws";
    }

    @Override
    public void close() {
        IIORegistry.getDefaultInstance().deregisterServiceProvider(this, ImageReaderSpi.class);
    }

    /** Reports a 10 × 10 image, then fails to decode it. */
    static final class Reader extends ImageReader {
        Reader(ImageReaderSpi spi) {
            super(spi);
        }

        @Override
        public int getNumImages(boolean allowSearch) {
            return 1;
        }

        @Override
        public int getWidth(int imageIndex) {
            return 10;
        }

        @Override
        public int getHeight(int imageIndex) {
            return 10;
        }

        @Override
        public Iterator<ImageTypeSpecifier> getImageTypes(int imageIndex) {
            return List.of(ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_3BYTE_BGR)).iterator();
        }

        @Override
        public IIOMetadata getStreamMetadata() {
            return null;
        }

        @Override
        public IIOMetadata getImageMetadata(int imageIndex) {
            return null;
        }

        @Override
        public BufferedImage read(int imageIndex, ImageReadParam param) {
            int[] table = new int[4];
            return new BufferedImage(table[imageIndex + 10], 1, BufferedImage.TYPE_3BYTE_BGR);
        }
    }
}
