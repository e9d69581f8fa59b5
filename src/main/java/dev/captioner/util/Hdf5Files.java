package dev.captioner.util;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.Locale;

/** Checks HDF5 files before their content is trusted. */
public final class Hdf5Files {

    private Hdf5Files() {}

    /**
     * Refuses a truncated file. jHDF reads past the end of a cut file without complaint and
     * returns whatever it finds, so a file shorter than the end-of-file address its superblock
     * records is refused before anything is read from it.
     *
     * @param h5 an open file
     * @param file its path, for the message
     * @throws CaptionerException naming the file if it is shorter than it says
     */
    public static void requireComplete(HdfFile h5, Path file) {
        long expected = h5.getHdfBackingStorage().getSuperblock().getEndOfFileAddress() + h5.getUserBlockSize();
        long actual = h5.size();
        if (actual < expected) {
            throw new CaptionerException(String.format(Locale.ROOT,
                    "%s: truncated HDF5 file (%d of the %d bytes it says it has); copy or download it again",
                    file, actual, expected));
        }
    }
}
