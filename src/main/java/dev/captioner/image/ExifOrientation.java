package dev.captioner.image;

/**
 * The EXIF orientation of a JPEG (tag 0x0112 of its APP1 {@code Exif} segment) and the turn or
 * flip that shows the photo upright. Phones store photos as the sensor read them and record how
 * to turn them; Keras' {@code load_img} ignores the tag, so a portrait phone photo reaches its
 * network on its side. captioner applies it on every decode path, exact or fast, so the two see
 * the same upright picture; files without the tag (every Flickr8k and COCO image read so far, and
 * every fidelity fixture) decode exactly as before.
 */
public final class ExifOrientation {

    /** Stored upright: nothing to do. */
    public static final int NORMAL = 1;

    private ExifOrientation() {}

    /**
     * @param bytes an encoded image
     * @return its orientation, 1 to 8; {@link #NORMAL} when it is not a JPEG, has no EXIF
     *     orientation or the segment is malformed
     */
    public static int of(byte[] bytes) {
        if (bytes.length < 4 || (bytes[0] & 0xFF) != 0xFF || (bytes[1] & 0xFF) != 0xD8) {
            return NORMAL;
        }
        int p = 2;
        while (p + 4 <= bytes.length && (bytes[p] & 0xFF) == 0xFF) {
            int marker = bytes[p + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // image data starts: the metadata segments are over
            }
            int length = u16(bytes, p + 2, true);
            if (length < 2) {
                break;
            }
            if (marker == 0xE1 && length >= 8 && startsWith(bytes, p + 4, "Exif\0\0")) {
                int o = tiffOrientation(bytes, p + 10, Math.min(bytes.length, p + 2 + length));
                if (o != 0) {
                    return o;
                }
            }
            p += 2 + length;
        }
        return NORMAL;
    }

    /** @return whether the orientation swaps width and height (a quarter turn) */
    public static boolean swapsSides(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * @param image pixels as stored
     * @param orientation the EXIF orientation, 1 to 8
     * @return the image upright (the same object for {@link #NORMAL} or an unknown value)
     */
    public static RgbImage apply(RgbImage image, int orientation) {
        if (orientation <= NORMAL || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = swapsSides(orientation);
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = image.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // (x, y) upright comes from (sx, sy) as stored; the EXIF names the stored picture's
                // transform: 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 quarter turn clockwise,
                // 7 transverse, 8 quarter turn anticlockwise.
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return new RgbImage(ow, oh, out);
    }

    /** @return the orientation in the TIFF structure at {@code start}, or 0 if it has none */
    private static int tiffOrientation(byte[] b, int start, int end) {
        if (start + 8 > end) {
            return 0;
        }
        boolean big;
        if (b[start] == 'M' && b[start + 1] == 'M') {
            big = true;
        } else if (b[start] == 'I' && b[start + 1] == 'I') {
            big = false;
        } else {
            return 0;
        }
        long ifd = u32(b, start + 4, big);
        if (ifd < 8 || start + ifd + 2 > end) {
            return 0;
        }
        int q = (int) (start + ifd);
        int entries = u16(b, q, big);
        for (int i = 0; i < entries; i++) {
            int e = q + 2 + 12 * i;
            if (e + 12 > end) {
                return 0;
            }
            if (u16(b, e, big) == 0x0112) {
                int value = u16(b, e + 8, big);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at, boolean big) {
        int x = b[at] & 0xFF;
        int y = b[at + 1] & 0xFF;
        return big ? x << 8 | y : y << 8 | x;
    }

    private static long u32(byte[] b, int at, boolean big) {
        long hi = u16(b, at, big);
        long lo = u16(b, at + 2, big);
        return big ? hi << 16 | lo : lo << 16 | hi;
    }
}
