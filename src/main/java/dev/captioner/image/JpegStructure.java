package dev.captioner.image;

import java.util.Locale;

/**
 * A JPEG file's marker structure, read strictly in Java (which a deadline can stop) before any
 * native decoder sees the file. It walks every segment, including the markers that carry no
 * length (SOI, EOI, RST0-7, TEM), skips entropy-coded data byte by byte to the next marker, and
 * counts the scans. From that it answers two questions:
 * <ul>
 *   <li>{@link #scalable()}: may libjpeg-turbo decode it scaled, out of reach of the decode time
 *       limit? Only a sequential Huffman 8-bit file with one or three components whose every
 *       segment before the first scan is SOI, APPn, COM, DQT, DHT, DRI or its one SOF0/SOF1, with
 *       at most one scan per component, that ends with EOI, and whose entropy-coded data decodes
 *       to exactly the blocks its frame declares ({@link JpegEntropyCheck}): its decoding costs
 *       time in proportion to its size, and libjpeg has nothing to warn about. Anything else goes
 *       to the JDK's reader, which the time limit stops.</li>
 *   <li>{@link #workingBytes()}: the memory libjpeg needs besides its output: a whole-image
 *       coefficient buffer (2 bytes per coefficient) for progressive and multi-scan files.</li>
 * </ul>
 */
final class JpegStructure {

    /** Scans beyond this are refused: encoders write about 10; thousands make a small file slow. */
    static final int MAX_SCANS = 256;

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DHT = 0xC4;
    private static final int DQT = 0xDB;
    private static final int DRI = 0xDD;
    private static final int COM = 0xFE;
    private static final int TEM = 0x01;

    /** One component of the frame: its sampling factors. */
    record Component(int id, int h, int v, int table) {}

    private final byte[] bytes;
    private int sofMarker = -1;
    private int precision;
    private int width;
    private int height;
    private Component[] components = new Component[0];
    private int scans;
    private boolean ended;
    /** Why the file is not for the native scaled decoder, or null if it is. */
    private String notScalable;
    /** Where the first scan's header starts, for the entropy check. */
    private int firstScan = -1;

    private JpegStructure(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param bytes an encoded file
     * @return whether it starts as a JPEG does
     */
    static boolean isJpeg(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == SOI && (bytes[2] & 0xFF) == 0xFF;
    }

    /**
     * Reads the structure. Never throws on malformed data: what cannot be followed makes the file
     * unscalable, and the JDK's reader then says what is wrong with it.
     *
     * @param bytes a file for which {@link #isJpeg} holds
     * @param deadline the {@link System#nanoTime()} after which reading stops (the file is then
     *     unscalable); {@link Long#MAX_VALUE} for none
     * @return its structure
     */
    static JpegStructure read(byte[] bytes, long deadline) {
        JpegStructure s = new JpegStructure(bytes);
        s.walk(deadline);
        if (s.notScalable == null) {
            String entropy = JpegEntropyCheck.check(bytes, s.firstScan, s.width, s.height, s.components, deadline);
            if (entropy != null) {
                s.notScalable = entropy;
            }
        }
        return s;
    }

    private void refuse(String why) {
        if (notScalable == null) {
            notScalable = why;
        }
    }

    private int u8(int i) {
        return bytes[i] & 0xFF;
    }

    private int u16(int i) {
        return (u8(i) << 8) | u8(i + 1);
    }

    private void walk(long deadline) {
        int n = bytes.length;
        int i = 2; // after SOI
        while (true) {
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                refuse("its structure was not read within the time limit");
                return;
            }
            // A marker: 0xFF, any fill bytes 0xFF, then the code.
            if (i >= n || u8(i) != 0xFF) {
                refuse(i >= n ? "it ends before its end marker" : "bytes where a marker should be");
                return;
            }
            while (i < n && u8(i) == 0xFF) {
                i++;
            }
            if (i >= n) {
                refuse("it ends before its end marker");
                return;
            }
            int marker = u8(i++);
            if (marker == EOI) {
                ended = true;
                return;
            }
            if (marker == SOI || marker == TEM || marker >= 0xD0 && marker <= 0xD7 || marker == 0x00) {
                // No length: a second SOI, a TEM or a restart outside entropy-coded data.
                refuse(String.format(Locale.ROOT, "marker 0x%02X out of place", marker));
                continue;
            }
            if (i + 2 > n) {
                refuse("it ends inside a segment");
                return;
            }
            int length = u16(i);
            if (length < 2 || i + length > n) {
                refuse("a segment's length runs past the file");
                return;
            }
            int body = i + 2;
            int end = i + length;
            if (marker == SOS) {
                if (!scan(body, end)) {
                    return;
                }
                i = skipEntropyCodedData(end);
                continue;
            }
            if (isSof(marker)) {
                frame(marker, body, end);
            } else if (!(marker == DHT || marker == DQT || marker == DRI || marker == COM || marker >= 0xE0 && marker <= 0xEF)) {
                // DAC (arithmetic coding), DNL, DHP, EXP, JPGn and the reserved codes.
                refuse(String.format(Locale.ROOT, "segment 0x%02X", marker));
            }
            i = end;
        }
    }

    private static boolean isSof(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != 0xC8 && marker != 0xCC;
    }

    private void frame(int marker, int body, int end) {
        if (sofMarker >= 0) {
            refuse("a second frame header");
            return;
        }
        if (scans > 0) {
            refuse("a frame header after a scan");
        }
        sofMarker = marker;
        if (end - body < 6) {
            refuse("a short frame header");
            return;
        }
        precision = u8(body);
        height = u16(body + 1);
        width = u16(body + 3);
        int count = u8(body + 5);
        if (end - body != 6 + 3 * count || count == 0) {
            refuse("a frame header of the wrong length");
            return;
        }
        components = new Component[count];
        for (int c = 0; c < count; c++) {
            int at = body + 6 + 3 * c;
            components[c] = new Component(u8(at), u8(at + 1) >> 4, u8(at + 1) & 15, u8(at + 2));
        }
        if (marker != 0xC0 && marker != 0xC1) {
            refuse(marker == 0xC2 ? "progressive" : String.format(Locale.ROOT, "frame type 0x%02X", marker));
        } else if (precision != 8) {
            refuse(precision + "-bit samples");
        } else if (count != 1 && count != 3) {
            refuse(count + " components");
        } else if (width == 0 || height == 0) {
            refuse("no size in its frame header");
        }
        for (Component c : components) {
            if (c.h() < 1 || c.h() > 4 || c.v() < 1 || c.v() > 4 || c.table() > 3) {
                refuse("a component with bad sampling factors or table");
            }
        }
    }

    /** @return whether the scan header is readable (the walk goes on) */
    private boolean scan(int body, int end) {
        scans++;
        if (sofMarker < 0) {
            refuse("a scan before the frame header");
            return false;
        }
        if (firstScan < 0) {
            firstScan = body - 4;
        }
        if (scans > components.length) {
            refuse(scans + " scans for " + components.length + " components");
        }
        int count = end - body >= 1 ? u8(body) : 0;
        if (count < 1 || count > 4 || end - body != 1 + 2 * count + 3) {
            refuse("a scan header of the wrong length");
            return false;
        }
        return true;
    }

    /**
     * @param from the first byte after a scan header
     * @return the index of the 0xFF that starts the next marker (not a stuffed byte or a restart)
     */
    private int skipEntropyCodedData(int from) {
        int n = bytes.length;
        int i = from;
        while (i < n) {
            if ((bytes[i] & 0xFF) != 0xFF) {
                i++;
                continue;
            }
            if (i + 1 >= n) {
                return n;
            }
            int next = bytes[i + 1] & 0xFF;
            if (next == 0x00 || next >= 0xD0 && next <= 0xD7) {
                i += 2;
            } else if (next == 0xFF) {
                i++; // fill byte before a marker
            } else {
                return i;
            }
        }
        return n;
    }

    /** @return whether libjpeg-turbo may decode it scaled (see the class comment) */
    boolean scalable() {
        return notScalable == null && ended && scans >= 1;
    }

    /** @return why not {@link #scalable()}, or null */
    String whyNotScalable() {
        return notScalable != null ? notScalable : !ended ? "no end marker" : scans == 0 ? "no scan" : null;
    }

    /** @return the scans (SOS segments) in the file */
    int scans() {
        return scans;
    }

    /** @return whether the frame is progressive (SOF2, SOF6, SOF10, SOF14) */
    boolean progressive() {
        return sofMarker == 0xC2 || sofMarker == 0xC6 || sofMarker == 0xCA || sofMarker == 0xCE;
    }

    /**
     * @return bytes of the whole-image coefficient buffer libjpeg keeps for a progressive or
     *     multi-scan file (2 bytes for each of every component's 64 coefficients per block), 0
     *     for a single-scan sequential file, which is decoded a row of blocks at a time
     */
    long workingBytes() {
        if (!(progressive() || scans > 1) || components.length == 0) {
            return 0;
        }
        int hMax = 1;
        int vMax = 1;
        for (Component c : components) {
            hMax = Math.max(hMax, c.h());
            vMax = Math.max(vMax, c.v());
        }
        long total = 0;
        for (Component c : components) {
            // Each component's blocks, padded to whole MCUs as libjpeg allocates them.
            long cols = ceil(ceil((long) width * Math.max(1, c.h()), hMax), 8L * Math.max(1, c.h())) * Math.max(1, c.h());
            long rows = ceil(ceil((long) height * Math.max(1, c.v()), vMax), 8L * Math.max(1, c.v())) * Math.max(1, c.v());
            total += cols * rows * 64 * 2;
        }
        return total;
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
