package dev.captioner.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a benchmark's reference script ({@code bench/*.py}, Debian's {@code /usr/bin/python3}
 * with python3-torch) in the same run, so the two figures come from the same machine state. A
 * missing script or interpreter is reported and skipped, not an error.
 */
public final class PeerScript {

    /** Debian's Python, which has python3-torch when it is installed. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private PeerScript() {}

    /**
     * @param script the script
     * @param args its arguments
     * @param log where to say why it was skipped
     * @return the JSON object it printed last, or null if it could not run
     */
    public static JsonNode run(Path script, List<String> args, PrintWriter log) throws InterruptedException {
        if (!Files.isRegularFile(script) || !Files.isExecutable(PYTHON)) {
            log.println("bench: PyTorch reference skipped (" + (Files.isRegularFile(script) ? PYTHON : script)
                    + " not found)");
            log.flush();
            return null;
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                log.println("bench: PyTorch reference failed (exit " + p.exitValue() + "; is python3-torch installed?)");
                log.flush();
                return null;
            }
            String last = out.strip().lines().reduce((x, y) -> y).orElse("{}");
            return new ObjectMapper().readTree(last);
        } catch (IOException e) {
            log.println("bench: PyTorch reference could not run: " + e.getMessage());
            log.flush();
            return null;
        }
    }
}
