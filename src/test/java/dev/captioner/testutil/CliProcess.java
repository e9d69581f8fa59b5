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
     * Starts a command and kills it with SIGKILL after {@code afterMillis}, unless it ended first.
     *
     * @return true if the kill came while the command ran, false if it had already ended
     */
    public static boolean killAfter(long afterMillis, Path log, String... args) throws IOException, InterruptedException {
        return killAfter(afterMillis, log, null, args);
    }

    /**
     * Starts {@code captioner args...} and kills it with SIGKILL after {@code afterMillis}.
     *
     * @param working a pattern the run writes to its log once its work has begun (e.g. an
     *     epoch's progress), or null to count any kill
     * @return whether the kill landed while the work was going: the process was still running
     *     and, if {@code working} is given, had logged it (a kill during the JVM's start-up
     *     tests nothing)
     */
    public static boolean killAfter(long afterMillis, Path log, java.util.regex.Pattern working, String... args)
            throws IOException, InterruptedException {
        long before = Files.exists(log) ? Files.size(log) : 0;
        Process p = start(log, args);
        if (p.waitFor(afterMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        String output;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            f.seek(before);
            byte[] rest = new byte[(int) (f.length() - before)];
            f.readFully(rest);
            output = new String(rest, java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(log, "\n--- killed with SIGKILL after " + afterMillis + " ms ---\n",
                java.nio.file.StandardOpenOption.APPEND);
        return working == null || working.matcher(output).find();
    }

    /** @return whether this platform's forcible kill is SIGKILL (it is on Linux and macOS) */
    public static boolean killIsSigkill() {
        return File.separatorChar == '/';
    }
}
