package dev.captioner.testutil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small dataset fixtures for tests. */
public final class Fixtures {

    /** The shared reference material, present on developer machines and in CI only. */
    public static final Path SHARED = Path.of("..", "shared");

    private Fixtures() {}

    /** Writes UTF-8 text, creating parent folders. */
    public static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Writes a few bytes that stand for an image (readers only check that the file exists). */
    public static void images(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String n : names) {
            Files.write(dir.resolve(n), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        }
    }

    /** Copies a folder and everything in it to {@code target}, which must not exist. */
    public static Path copyTree(Path source, Path target) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(source)) {
            for (Path p : s.toList()) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    /** Writes a zip archive whose entries are the given names and texts. */
    public static Path zip(Path file, Map<String, String> entries) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return file;
    }

    /**
     * A tiny official-layout Flickr8k: three images (one per split), two captions each, plus
     * the phantom id of the real token file.
     */
    public static Path flickr8k(Path root) throws IOException {
        write(root.resolve("Flickr8k_text/Flickr8k.token.txt"),
                "a.jpg#0\tA dog runs .\n"
                + "a.jpg#1\tA brown dog is running on the grass .\n"
                + "b.jpg#0\tTwo kids play in a t-shirt .\n"
                + "b.jpg#1\tKids play .\n"
                + "c.jpg#0\tA man , 2 dogs .\n"
                + "c.jpg#1\tThe man sits .\n"
                + "2258277193_586949ec62.jpg.1#0\tA phantom caption .\n");
        write(root.resolve("Flickr8k_text/Flickr_8k.trainImages.txt"), "a.jpg\n");
        write(root.resolve("Flickr8k_text/Flickr_8k.devImages.txt"), "b.jpg\n");
        write(root.resolve("Flickr8k_text/Flickr_8k.testImages.txt"), "c.jpg\n");
        images(root.resolve("Flicker8k_Dataset"), "a.jpg", "b.jpg", "c.jpg");
        return root;
    }
}
