package dev.captioner.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a benchmark's reference script ({@code bench/*.py}, Debian's {@code /usr/bin/python3}
 * with python3-torch) in the same run, so the two figures come from the same machine state. A
 * missing script or interpreter is reported and skipped, not an error.
 *
 * <p>Debian's PyTorch does its dense products through the system BLAS: with only the reference
 * BLAS installed it runs about ten times slower than with {@code libopenblas0-pthread}, so the
 * result names the BLAS the script ran on ({@code blas}) and a warning says when it is the
 * reference one. {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} are removed from the
 * script's environment: set for another program, they pin OpenBLAS to slower kernels.
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
        return run(script, args, Map.of(), log);
    }

    /**
     * As {@link #run(Path, List, PrintWriter)}, with environment variables for the script (e.g.
     * {@code OPENBLAS_NUM_THREADS=1}, which a training peer runs fastest with: OpenBLAS's own
     * threads otherwise compete with PyTorch's for the same cores); they are recorded in the
     * result as {@code environment}.
     *
     * @param script the script
     * @param args its arguments
     * @param environment variables to set for it
     * @param log where to say why it was skipped
     * @return the JSON object it printed last, or null if it could not run
     */
    public static JsonNode run(Path script, List<String> args, Map<String, String> environment, PrintWriter log)
            throws InterruptedException {
        if (!Files.isRegularFile(script) || !Files.isExecutable(PYTHON)) {
            log.println("bench: PyTorch reference skipped (" + (Files.isRegularFile(script) ? PYTHON : script)
                    + " not found)");
            log.flush();
            return null;
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(args);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().remove("OPENBLAS_CORETYPE");
            builder.environment().remove("OPENBLAS_L2_SIZE");
            builder.environment().putAll(environment);
            String blas = systemBlas();
            if (blas.contains("/blas/")) {
                log.println("bench: the PyTorch reference runs on the reference BLAS (" + blas + "), about ten times "
                        + "slower than OpenBLAS: install libopenblas0-pthread for a fair comparison");
                log.flush();
            }
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                log.println("bench: PyTorch reference failed (exit " + p.exitValue() + "; is python3-torch installed?)");
                log.flush();
                return null;
            }
            String last = out.strip().lines().reduce((x, y) -> y).orElse("{}");
            JsonNode result = new ObjectMapper().readTree(last);
            if (result instanceof ObjectNode o) {
                o.put("blas", blas);
                if (!environment.isEmpty()) {
                    o.set("environment", new ObjectMapper().valueToTree(new java.util.TreeMap<>(environment)));
                }
            }
            return result;
        } catch (IOException e) {
            log.println("bench: PyTorch reference could not run: " + e.getMessage());
            log.flush();
            return null;
        }
    }

    /** @return the library behind Debian's {@code libblas.so.3} alternative, or "unknown" */
    static String systemBlas() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")) {
            Path link = Path.of(dir, "libblas.so.3");
            if (Files.exists(link)) {
                try {
                    return link.toRealPath().toString();
                } catch (IOException e) {
                    return link.toString();
                }
            }
        }
        return "unknown";
    }
}
