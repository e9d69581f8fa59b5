package dev.captioner.cli;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.Digests;
import dev.captioner.util.Downloader;
import dev.captioner.util.RemoteFile;
import dev.captioner.vision.EncoderType;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.PublishedWeights;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code captioner weights list}: what is cached, how large, and whether it checks out. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the published weights: cached or not, size, SHA-256, and whether the file matches its "
                + "published (or first-download) checksum.")
public final class WeightsListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-15s %-10s %-9s %-64s %s%n", "name", "cached", "size", "sha256", "check");
        for (PublishedWeights w : PublishedWeights.values()) {
            Path file = w.cached();
            if (!Files.isRegularFile(file)) {
                out.printf("%-15s %-10s %-9s %-64s %s%n", w.id(), "no", w.file().humanSize().replace("size unknown", "-"),
                        "-", "-");
                continue;
            }
            String sha = Digests.sha256(file);
            out.printf("%-15s %-10s %-9s %-64s %s%n", w.id(), "yes", RemoteFile.humanSize(Files.size(file)), sha,
                    check(w, file, sha));
        }
        out.println("cache: " + PublishedWeights.VGG16.cached().getParent().toAbsolutePath());
        out.println();
        out.println("encoders (--encoder NAME):");
        for (EncoderType t : Encoders.types()) {
            out.println("  " + t.line());
        }
        return 0;
    }

    private static String check(PublishedWeights w, Path file, String sha) throws IOException {
        if (w.file().md5() != null) {
            return Digests.of(file, "MD5").equals(w.file().md5()) ? "ok (published MD5)" : "MISMATCH (published MD5)";
        }
        if (w.file().sha256() != null) {
            return sha.equals(w.file().sha256()) ? "ok (known SHA-256)" : "MISMATCH (known SHA-256)";
        }
        Path record = Downloader.recordOf(file);
        if (!Files.isRegularFile(record)) {
            return "unchecked (no checksum published or recorded)";
        }
        try {
            return sha.equals(Files.readString(record).strip()) ? "ok (recorded at download)" : "MISMATCH (recorded)";
        } catch (IOException e) {
            throw new CaptionerException(record + ": cannot read: " + e.getMessage(), e);
        }
    }
}
