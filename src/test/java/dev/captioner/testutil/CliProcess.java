package dev.captioner.testutil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code captioner} command line in a separate JVM, as a user's shell would, so that a
 * test can kill it with SIGKILL ({@link Process#destroyForcibly()} on Unix) at any moment.
 */
public final class CliProcess {

    private CliProcess() {}

    /**
     * Starts {@code captioner args...} on this test run's class path; its output goes to {@code log}.
     *
     * @param log file that receives standard output and error (appended)
     * @param args command-line arguments
     * @return the running process
     */
    public static Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx768m");
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.captioner.cli.Main");
        command.addAll(List.of(args));
        Files.createDirectories(log.toAbsolutePath().getParent());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * Runs a command to its end.
     *
     * @return its exit status
     */
    public static int run(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("captioner " + String.join(" ", args) + " did not finish; see " + log);
        }
        return p.exitValue();
    }

    /**
     * Starts {@code captioner args...} and kills it with SIGKILL once it has worked for
     * {@code afterMillis}.
     *
     * <p>The clock starts when the command logs {@code working} (e.g. an epoch's progress), not
     * when the JVM starts: a kill during start-up tests nothing, and timing from the first line of
     * work keeps the kill inside the work however busy the machine is.
     *
     * @param working a pattern the run writes to its log once its work has begun
     * @return whether the kill landed while the work was going; false if the command ended first
     */
    public static boolean killAfter(long afterMillis, Path log, java.util.regex.Pattern working, String... args)
            throws IOException, InterruptedException {
        long before = Files.exists(log) ? Files.size(log) : 0;
        Process p = start(log, args);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!working.matcher(readFrom(log, before)).find()) {
            if (p.waitFor(10, TimeUnit.MILLISECONDS)) {
                note(log, "--- ended before it logged " + working + " ---");
                return false;
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("captioner " + String.join(" ", args) + " never logged " + working
                        + "; see " + log);
            }
        }
        if (p.waitFor(afterMillis, TimeUnit.MILLISECONDS)) {
            note(log, "--- ended (status " + p.exitValue() + ") before the kill due " + afterMillis + " ms into its work ---");
            return false;
        }
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        note(log, "--- killed with SIGKILL " + afterMillis + " ms into its work ---");
        return true;
    }

    private static String readFrom(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            f.seek(offset);
            byte[] rest = new byte[(int) Math.max(0, f.length() - offset)];
            f.readFully(rest);
            return new String(rest, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void note(Path log, String line) throws IOException {
        Files.writeString(log, "\n" + line + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /** @return whether this platform's forcible kill is SIGKILL (it is on Linux and macOS) */
    public static boolean killIsSigkill() {
        return File.separatorChar == '/';
    }
}
