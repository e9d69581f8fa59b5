package dev.captioner.image;

import java.util.Locale;

/**
 * Decodes a sequential JPEG's Huffman-coded data without the inverse DCT, to prove that it
 * holds exactly the blocks its frame declares: every code in its table, no data cut short by a
 * marker, no bytes left over before the next marker, every restart marker where the restart
 * interval puts it. Those are the conditions under which libjpeg would warn ("Corrupt JPEG data:
 * bad Huffman code", "premature end of data segment", "N extraneous bytes before marker") and
 * decode garbage: the JDK's reader refuses such a file, so the native scaled decoder must never
 * see it. Anything this check does not follow exactly is refused too; the JDK's reader then
 * answers for it.
 */
final class JpegEntropyCheck {

    private static final int LUT_BITS = 9;

    private final byte[] bytes;
    private final long deadline;
    private int pos;
    /** Bits read ahead, most significant first: the low {@code bits} bits of {@code buf}. */
    private long buf;
    private int bits;
    private final Table[] dc = new Table[4];
    private final Table[] ac = new Table[4];
    private int restartInterval;

    private JpegEntropyCheck(byte[] bytes, long deadline) {
        this.bytes = bytes;
        this.deadline = deadline;
    }

    /** Why the data is refused; thrown inside the check only. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param bytes a JPEG whose marker structure {@link JpegStructure} found sequential and tidy
     * @param firstScan where its first SOS marker starts (tables before it are read too)
     * @param width the frame's width
     * @param height the frame's height
     * @param components the frame's components
     * @param deadline {@link System#nanoTime()} to stop by, or {@link Long#MAX_VALUE}
     * @return null if the data is exactly what the frame declares, else why not
     */
    static String check(byte[] bytes, int firstScan, int width, int height, JpegStructure.Component[] components,
            long deadline) {
        try {
            new JpegEntropyCheck(bytes, deadline).run(width, height, components);
            return null;
        } catch (Refused e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "its coded data cannot be followed";
        }
    }

    private int u8(int i) {
        return bytes[i] & 0xFF;
    }

    private void run(int width, int height, JpegStructure.Component[] components) throws Refused {
        boolean[] scanned = new boolean[components.length];
        pos = 2;
        while (true) {
            while (u8(pos) == 0xFF && u8(pos + 1) == 0xFF) {
                pos++;
            }
            int marker = u8(pos + 1);
            if (marker == 0xD9) {
                break;
            }
            int length = (u8(pos + 2) << 8) | u8(pos + 3);
            int body = pos + 4;
            int end = pos + 2 + length;
            if (marker == 0xC4) {
                huffmanTables(body, end);
            } else if (marker == 0xDD) {
                restartInterval = (u8(body) << 8) | u8(body + 1);
            } else if (marker == 0xDA) {
                pos = end;
                scan(body, width, height, components, scanned);
                continue;
            }
            pos = end;
        }
        for (boolean s : scanned) {
            if (!s) {
                throw new Refused("a component that no scan codes");
            }
        }
    }

    private void huffmanTables(int at, int end) throws Refused {
        while (at < end) {
            int tc = u8(at) >> 4;
            int th = u8(at) & 15;
            if (tc > 1 || th > 3) {
                throw new Refused("a Huffman table of unknown class or slot");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int len = 1; len <= 16; len++) {
                counts[len] = u8(at + len);
                total += counts[len];
            }
            if (total > 256 || at + 17 + total > end) {
                throw new Refused("a Huffman table longer than its segment");
            }
            int[] values = new int[total];
            for (int k = 0; k < total; k++) {
                values[k] = u8(at + 17 + k);
            }
            (tc == 0 ? dc : ac)[th] = new Table(counts, values);
            at += 17 + total;
        }
        if (at != end) {
            throw new Refused("a Huffman table segment of the wrong length");
        }
    }

    private void scan(int body, int width, int height, JpegStructure.Component[] components, boolean[] scanned)
            throws Refused {
        int count = u8(body);
        int[] index = new int[count];
        Table[] dcOf = new Table[count];
        Table[] acOf = new Table[count];
        scanComponents(body, components, scanned, index, dcOf, acOf);
        int spectral = body + 1 + 2 * count;
        if (u8(spectral) != 0 || u8(spectral + 1) != 63 || u8(spectral + 2) != 0) {
            throw new Refused("a sequential scan with progressive parameters");
        }
        // Blocks per MCU for each scan component, and the MCUs in the scan.
        int[] blocks = new int[count];
        long mcus = mcus(width, height, components, index, blocks);
        codedData(mcus, blocks, dcOf, acOf);
    }

    /** Finds each scan component's frame component and Huffman tables; each component is coded once. */
    private void scanComponents(int body, JpegStructure.Component[] components, boolean[] scanned, int[] index,
            Table[] dcOf, Table[] acOf) throws Refused {
        for (int k = 0; k < index.length; k++) {
            int id = u8(body + 1 + 2 * k);
            int tables = u8(body + 2 + 2 * k);
            index[k] = -1;
            for (int c = 0; c < components.length; c++) {
                if (components[c].id() == id) {
                    index[k] = c;
                }
            }
            if (index[k] < 0 || scanned[index[k]]) {
                throw new Refused("a scan of an unknown or already coded component");
            }
            scanned[index[k]] = true;
            dcOf[k] = dc[tables >> 4 & 3];
            acOf[k] = ac[tables & 3];
            if ((tables >> 4) > 3 || (tables & 15) > 3 || dcOf[k] == null || acOf[k] == null) {
                throw new Refused("a scan that names an undefined Huffman table");
            }
        }
    }

    /**
     * @return the MCUs of a scan of the components at {@code index}, with each one's blocks per
     *     MCU in {@code blocks}
     */
    private static long mcus(int width, int height, JpegStructure.Component[] components, int[] index, int[] blocks)
            throws Refused {
        int count = index.length;
        int hMax = 1;
        int vMax = 1;
        for (JpegStructure.Component c : components) {
            hMax = Math.max(hMax, c.h());
            vMax = Math.max(vMax, c.v());
        }
        long mcus;
        if (count == 1) {
            JpegStructure.Component c = components[index[0]];
            long cols = ceil(ceil((long) width * c.h(), hMax), 8);
            long rows = ceil(ceil((long) height * c.v(), vMax), 8);
            blocks[0] = 1;
            mcus = cols * rows;
        } else {
            int perMcu = 0;
            for (int k = 0; k < count; k++) {
                JpegStructure.Component c = components[index[k]];
                blocks[k] = c.h() * c.v();
                perMcu += blocks[k];
            }
            if (perMcu > 10) {
                throw new Refused("more than 10 blocks per MCU");
            }
            mcus = ceil(width, 8L * hMax) * ceil(height, 8L * vMax);
        }
        return mcus;
    }

    /** Decodes every block of the scan's entropy-coded data, within the deadline. */
    private void codedData(long mcus, int[] blocks, Table[] dcOf, Table[] acOf) throws Refused {
        int count = blocks.length;
        buf = 0;
        bits = 0;
        int[] predictions = new int[count];
        int restarts = 0;
        for (long m = 0; m < mcus; m++) {
            if (restartInterval > 0 && m > 0 && m % restartInterval == 0) {
                restart(restarts++);
                java.util.Arrays.fill(predictions, 0);
            }
            if ((m & 1023) == 0 && deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                throw new Refused("its coded data was not checked within the time limit");
            }
            for (int k = 0; k < count; k++) {
                for (int b = 0; b < blocks[k]; b++) {
                    block(dcOf[k], acOf[k]);
                }
            }
        }
        endOfData();
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    /** One 8 × 8 block: a DC difference, then AC run/size codes up to the end of block. */
    private void block(Table dcTable, Table acTable) throws Refused {
        int s = decode(dcTable);
        if (s > 11) {
            throw new Refused("a DC difference of more than 11 bits");
        }
        skip(s);
        for (int k = 1; k < 64; ) {
            int rs = decode(acTable);
            int r = rs >> 4;
            int size = rs & 15;
            if (size == 0) {
                if (r != 15) {
                    return; // end of block
                }
                k += 16;
            } else {
                if (size > 10) {
                    throw new Refused("an AC coefficient of more than 10 bits");
                }
                k += r;
                skip(size);
                k++;
            }
            if (k > 64) {
                throw new Refused("a block with more than 64 coefficients");
            }
        }
    }

    /** Reads bytes into the bit buffer until it holds at least 57 bits or a marker is reached. */
    private void fill() {
        while (bits <= 56) {
            int b = u8(pos);
            if (b == 0xFF) {
                if (u8(pos + 1) != 0x00) {
                    return; // a marker: coded data stops here
                }
                pos += 2;
            } else {
                pos++;
            }
            buf = (buf << 8) | b;
            bits += 8;
        }
    }

    private void need(int n) throws Refused {
        if (bits < n) {
            fill();
            if (bits < n) {
                throw new Refused("its coded data ends early (a marker inside the data)");
            }
        }
    }

    private void skip(int n) throws Refused {
        if (n > 0) {
            need(n);
            bits -= n;
        }
    }

    private int decode(Table t) throws Refused {
        if (bits < 16) {
            fill();
        }
        if (bits >= LUT_BITS) {
            int entry = t.lut[(int) (buf >>> (bits - LUT_BITS)) & ((1 << LUT_BITS) - 1)];
            if (entry != 0) {
                bits -= entry >> 8;
                return entry & 0xFF;
            }
        }
        for (int len = 1; len <= 16; len++) {
            if (bits < len) {
                throw new Refused("its coded data ends early (a marker inside the data)");
            }
            int code = (int) (buf >>> (bits - len)) & ((1 << len) - 1);
            if (t.maxCode[len] >= 0 && code <= t.maxCode[len] && code >= t.minCode[len]) {
                bits -= len;
                return t.values[t.valPtr[len] + code - t.minCode[len]];
            }
        }
        throw new Refused("a code missing from its Huffman table");
    }

    /** After a restart interval: the padding bits go, then RSTn must follow at once. */
    private void restart(int number) throws Refused {
        endOfData();
        int marker = u8(pos + 1);
        if (marker != 0xD0 + (number & 7)) {
            throw new Refused(String.format(Locale.ROOT, "restart marker 0x%02X where RST%d belongs", marker,
                    number & 7));
        }
        pos += 2;
        buf = 0;
        bits = 0;
    }

    /** At the end of coded data: only padding bits may be left, and a marker must follow. */
    private void endOfData() throws Refused {
        fill();
        if (bits >= 8) {
            throw new Refused("extraneous bytes after its coded data");
        }
        while (u8(pos) == 0xFF && u8(pos + 1) == 0xFF) {
            pos++;
        }
        if (u8(pos) != 0xFF || u8(pos + 1) == 0x00) {
            throw new Refused("coded data that does not end at a marker");
        }
    }

    /** A Huffman table: a 9-bit lookup for short codes and the canonical bounds for the rest. */
    private static final class Table {
        final int[] values;
        final int[] minCode = new int[17];
        final int[] maxCode = new int[17];
        final int[] valPtr = new int[17];
        /** For each 9-bit prefix: {@code length << 8 | value} of the code it starts with, or 0. */
        final int[] lut = new int[1 << LUT_BITS];

        Table(int[] counts, int[] values) throws Refused {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                maxCode[len] = counts[len] == 0 ? -1 : code + counts[len] - 1;
                for (int c = 0; c < counts[len]; c++, k++, code++) {
                    if (len <= LUT_BITS) {
                        int shift = LUT_BITS - len;
                        for (int fillIn = 0; fillIn < 1 << shift; fillIn++) {
                            lut[(code << shift) | fillIn] = (len << 8) | values[k];
                        }
                    }
                }
                // As libjpeg: a table whose codes overflow their length is bogus.
                if (code >= (1 << len)) {
                    throw new Refused("a bogus Huffman table");
                }
                code <<= 1;
            }
        }
    }
}
