package dev.captioner.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * A native library unpacked from the class path into a folder only this user can write, and
 * trusted by its SHA-256 alone, never by its name or size: {@code System.load} runs whatever the
 * file holds, so a library planted where captioner looks (a shared {@code CAPTIONER_HOME}, say)
 * must never be loaded. The rules, checked before every load:
 * <ul>
 *   <li>the folder and the file are not symbolic links, and belong to this user;</li>
 *   <li>the folder has mode 0700 (set when created; a wider mode of a folder this user owns is
 *       narrowed), and no folder above it lets another user rename it away (writable by group or
 *       others without the sticky bit, or owned by another user who is not root);</li>
 *   <li>the file's SHA-256 is the one recorded for the library; a file that differs is refused,
 *       not overwritten, since nothing but tampering makes one (unpacking is atomic).</li>
 * </ul>
 * On systems without POSIX attributes (Windows) only the links and the hash are checked.
 */
public final class PrivateNatives {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private PrivateNatives() {
    }

    /** Why a library may not be loaded, in one line. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Opens the library's bytes (a class path resource). */
    @FunctionalInterface
    public interface Source {
        /**
         * @return the library's content
         * @throws IOException if it cannot be read
         */
        InputStream open() throws IOException;
    }

    /**
     * Makes sure the library is in {@code folder} with the expected hash, unpacking it there if
     * absent, and returns its path for {@code System.load}.
     *
     * @param folder the private folder (created with mode 0700 if absent)
     * @param fileName the library's file name
     * @param sha256 its expected SHA-256, lower-case hex
     * @param source its bytes, for unpacking
     * @return the checked file
     * @throws Refused naming the rule that failed
     */
    public static Path prepare(Path folder, String fileName, String sha256, Source source) throws Refused {
        Path dir = folder.toAbsolutePath().normalize();
        try {
            privateFolder(dir);
            Path file = dir.resolve(fileName);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                check(file, sha256);
                return file;
            }
            AtomicFiles.write(file, out -> unpack(source, out, sha256, file));
            check(file, sha256);
            return file;
        } catch (IOException | RuntimeException e) {
            throw new Refused(dir + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static void unpack(Source source, OutputStream out, String sha256, Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = source.open(); OutputStream hashed = new DigestOutputStream(out, digest)) {
            in.transferTo(hashed);
        }
        String got = HexFormat.of().formatHex(digest.digest());
        if (!got.equals(sha256)) {
            throw new IOException("the bundled " + file.getFileName() + " has SHA-256 " + got + ", not the recorded "
                    + sha256);
        }
    }

    private static void privateFolder(Path dir) throws IOException, Refused {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createDirectory(dir);
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused(dir + " is a symbolic link or not a folder");
        }
        if (!posix) {
            return;
        }
        int me = uid();
        if (uidOf(dir) != me) {
            throw new Refused(dir + " belongs to another user");
        }
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }
        for (Path up = dir.getParent(); up != null; up = up.getParent()) {
            int mode = (Integer) Files.getAttribute(up, "unix:mode");
            int owner = uidOf(up);
            if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0 || owner != me && owner != 0) {
                throw new Refused(up + " lets other users rename the folders below it (mode "
                        + Integer.toOctalString(mode & 07777) + ", owner " + owner + ")");
            }
        }
    }

    private static void check(Path file, String sha256) throws IOException, Refused {
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused(file + " is a symbolic link or not a file");
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("unix") && uidOf(file) != uid()) {
            throw new Refused(file + " belongs to another user");
        }
        String got = Digests.sha256(file);
        if (!got.equals(sha256)) {
            throw new Refused(file + " has SHA-256 " + got + ", not the recorded " + sha256
                    + " (not captioner's; delete it to let captioner unpack its own)");
        }
    }

    private static int uidOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** @return this process's user id */
    private static int uid() throws IOException {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
