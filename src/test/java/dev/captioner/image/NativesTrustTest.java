package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captioner.testutil.IsolatedClasses;
import dev.captioner.util.PrivateNatives;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;

/**
 * A native library is loaded only from a private folder and only with the SHA-256 recorded for
 * it: planted files, symbolic links, folders others can write or rename, and folders of other
 * users are refused, and the JDK's reader then decodes.
 */
class NativesTrustTest {

    @TempDir
    Path tmp;

    private static final byte[] LIBRARY = "pretend this is a shared library".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private Path prepare(Path folder) throws Exception {
        return PrivateNatives.prepare(folder, "libx.so", sha256(LIBRARY), () -> new ByteArrayInputStream(LIBRARY));
    }

    @Test
    void unpackedOnceIntoAPrivateFolderAndFoundAgainUnchanged() throws Exception {
        Path folder = tmp.resolve("home").resolve("natives").resolve("x-1");
        Path first = prepare(folder);
        assertThat(Files.readAllBytes(first)).isEqualTo(LIBRARY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        FileTime written = Files.getLastModifiedTime(first);
        Thread.sleep(20);
        Path second = prepare(folder);
        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second)).as("not unpacked again").isEqualTo(written);
        try (var files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly("libx.so");
        }
    }

    @Test
    void aPlantedFileOfTheRightSizeIsRefusedNotLoadedNorOverwritten() throws Exception {
        Path folder = tmp.resolve("natives");
        prepare(folder);
        byte[] planted = LIBRARY.clone();
        planted[3] ^= 1;
        Files.write(folder.resolve("libx.so"), planted);
        assertThatThrownBy(() -> prepare(folder)).isInstanceOf(PrivateNatives.Refused.class)
                .hasMessageContaining("not the recorded");
        assertThat(Files.readAllBytes(folder.resolve("libx.so"))).isEqualTo(planted);
    }

    @Test
    void symbolicLinksAndFoldersOthersCanRenameAreRefused() throws Exception {
        Path real = tmp.resolve("real");
        prepare(real);
        Path linkedFolder = tmp.resolve("linked");
        Files.createSymbolicLink(linkedFolder, real);
        assertThatThrownBy(() -> prepare(linkedFolder)).isInstanceOf(PrivateNatives.Refused.class)
                .hasMessageContaining("symbolic link");
        Path folder = tmp.resolve("f");
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(folder.resolve("libx.so"), real.resolve("libx.so"));
        assertThatThrownBy(() -> prepare(folder)).isInstanceOf(PrivateNatives.Refused.class)
                .hasMessageContaining("symbolic link");
        Path shared = tmp.resolve("team");
        Files.createDirectories(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertThatThrownBy(() -> prepare(shared.resolve("natives"))).isInstanceOf(PrivateNatives.Refused.class)
                .hasMessageContaining("lets other users rename");
        // A folder of this user's with a wider mode is narrowed, not refused.
        Path wide = tmp.resolve("wide");
        Files.createDirectories(wide);
        Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rwxr-xr-x"));
        prepare(wide);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wide))).isEqualTo("rwx------");
    }

    @Test
    void aFolderOfAnotherUserIsRefused() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "only root can give a folder away");
        Path folder = tmp.resolve("theirs");
        prepare(folder);
        Files.setAttribute(folder, "unix:uid", 4242);
        assertThatThrownBy(() -> prepare(folder)).isInstanceOf(PrivateNatives.Refused.class)
                .hasMessageContaining("belongs to another user");
    }

    /** The recorded hashes are those of the libraries in the OpenCV artifact on the class path. */
    @Test
    void theRecordedHashesAreTheArtifactsOwn() throws Exception {
        String jar = IsolatedClasses.classPath().stream().filter(e -> e.contains("opencv")).findFirst().orElseThrow();
        Map<String, String> recorded = new java.util.HashMap<>();
        try (InputStream in = DctScaledJpeg.class.getResourceAsStream("opencv-natives.sha256")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 2 && !line.startsWith("#")) {
                    recorded.put(parts[0], parts[1]);
                }
            }
        }
        assertThat(recorded).containsOnlyKeys("linux/x86_64", "linux/ARMv8", "osx/ARMv8", "windows/x86_64");
        try (JarFile j = new JarFile(jar)) {
            for (Map.Entry<String, String> e : recorded.entrySet()) {
                String name = e.getKey().startsWith("windows") ? "opencv_java490.dll"
                        : e.getKey().startsWith("osx") ? "libopencv_java490.dylib" : "libopencv_java490.so";
                ZipEntry entry = j.getEntry("nu/pattern/opencv/" + e.getKey() + "/" + name);
                assertThat(entry).as(e.getKey()).isNotNull();
                try (InputStream in = j.getInputStream(entry)) {
                    assertThat(sha256(in.readAllBytes())).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    /**
     * End to end, in a class loader of its own (this JVM has OpenCV loaded already): with a
     * planted library of the right size where captioner unpacks OpenCV's, OpenCV is refused and
     * the JDK's reader decodes the JPEG (its subsampled read, 128 wide, not libjpeg's 1/4, 160).
     */
    @Test
    void withAPlantedOpenCvTheJdkReaderDecodes() throws Exception {
        assumeTrue(DctScaledJpeg.Native.platform() != null, "a platform OpenCV has a library for");
        Path home = tmp.resolve("home");
        String platform = DctScaledJpeg.Native.platform();
        Path folder = home.resolve("natives").resolve("opencv-" + Core.VERSION + "-" + platform.replace('/', '-'));
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        String file = System.mapLibraryName(Core.NATIVE_LIBRARY_NAME);
        long size;
        try (InputStream in = DctScaledJpeg.class.getClassLoader().getResourceAsStream("nu/pattern/opencv/" + platform
                + "/" + file)) {
            size = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        byte[] planted = new byte[(int) size];
        Files.write(folder.resolve(file), planted);

        byte[] jpeg = dev.captioner.testutil.Jpegs.jpeg(dev.captioner.testutil.Jpegs.photo(640, 480, 9), false);
        String before = System.getProperty("captioner.home");
        System.setProperty("captioner.home", home.toString());
        try (URLClassLoader loader = IsolatedClasses.loader(e -> true)) {
            Class<?> dct = Class.forName(DctScaledJpeg.class.getName(), true, loader);
            assertThat(IsolatedClasses.call(null, dct, "available", new Class<?>[0])).isEqualTo(false);
            Class<?> imageLoader = loader.loadClass(ImageLoader.class.getName());
            Class<?> decodeScale = loader.loadClass(DecodeScale.class.getName());
            Object scale = IsolatedClasses.call(null, decodeScale, "covering", new Class<?>[] {int.class, int.class}, 24, 24);
            Object decoded = IsolatedClasses.call(IsolatedClasses.call(null, imageLoader, "withDefaults", new Class<?>[0]), imageLoader, "decode",
                    new Class<?>[] {byte[].class, String.class, decodeScale, Function.class}, jpeg, "p.jpg", scale,
                    Function.identity());
            assertThat(IsolatedClasses.call(decoded, decoded.getClass(), "width", new Class<?>[0])).isEqualTo(128);
        } finally {
            if (before == null) {
                System.clearProperty("captioner.home");
            } else {
                System.setProperty("captioner.home", before);
            }
        }
        assertThat(Files.readAllBytes(folder.resolve(file))).as("the planted file is left as it was").isEqualTo(planted);
    }
}
