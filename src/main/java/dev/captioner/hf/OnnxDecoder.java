package dev.captioner.hf;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.captioner.util.CaptionerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pretrained decoder's ONNX graphs and what their inputs and outputs are, read from the graphs
 * rather than assumed: Optimum's merged decoder (one graph, {@code use_cache_branch} choosing the
 * first step or the cached ones) or the pair {@code decoder_model} + {@code decoder_with_past_model}.
 * Inputs understood: {@code input_ids} or {@code decoder_input_ids}; {@code encoder_hidden_states};
 * {@code encoder_attention_mask}; {@code past_key_values.N.key|value} and their
 * {@code .decoder.}/{@code .encoder.} forms; {@code use_cache_branch}. Outputs: {@code logits} and
 * {@code present.*}, each feeding the past of the same name. The layer count, heads and head size
 * the graph declares are checked against {@code config.json}.
 */
final class OnnxDecoder implements AutoCloseable {

    private static final Pattern PAST = Pattern.compile("past_key_values\\.(\\d+)\\.((?:decoder\\.|encoder\\.)?(?:key|value))");

    final OrtSession first;
    final OrtSession cached;
    final boolean merged;
    final String ids;
    final String hidden;
    final String mask;
    final String cacheBranch;
    /** The past inputs, in the graph's order; each is fed from {@code present.} + its suffix. */
    final List<String> pasts;
    final String logits;

    private OnnxDecoder(OrtSession first, OrtSession cached, boolean merged, Map<String, String> roles,
            List<String> pasts) {
        this.first = first;
        this.cached = cached;
        this.merged = merged;
        this.ids = roles.get("ids");
        this.hidden = roles.get("hidden");
        this.mask = roles.get("mask");
        this.cacheBranch = roles.get("branch");
        this.pasts = pasts;
        this.logits = "logits";
    }

    /**
     * @param env the runtime
     * @param options session options
     * @param merged the merged graph, or null
     * @param noPast the first-step graph (when not merged)
     * @param withPast the cached graph (when not merged)
     * @param config the sizes to check against
     * @return the decoder, its inputs mapped
     * @throws CaptionerException naming the file and the input or output it cannot use
     */
    static OnnxDecoder open(OrtEnvironment env, OrtSession.SessionOptions options, Path merged, Path noPast,
            Path withPast, PretrainedConfig config) {
        List<OrtSession> opened = new ArrayList<>();
        try {
            if (merged != null) {
                OrtSession s = session(env, options, merged, opened);
                Map<String, String> roles = new LinkedHashMap<>();
                List<String> pasts = map(merged, s, roles, config, true);
                if (roles.get("branch") == null) {
                    throw new CaptionerException(merged + ": has no input 'use_cache_branch'; a merged decoder chooses "
                            + "its first step by it");
                }
                return new OnnxDecoder(s, s, true, roles, pasts);
            }
            OrtSession a = session(env, options, noPast, opened);
            OrtSession b = session(env, options, withPast, opened);
            Map<String, String> rolesA = new LinkedHashMap<>();
            List<String> none = map(noPast, a, rolesA, config, false);
            if (!none.isEmpty()) {
                throw new CaptionerException(noPast + ": input '" + none.get(0) + "': the first-step decoder takes no past");
            }
            Map<String, String> roles = new LinkedHashMap<>();
            List<String> pasts = map(withPast, b, roles, config, true);
            for (String p : pasts) {
                if (!a.getOutputInfo().containsKey(present(p))) {
                    throw new CaptionerException(noPast + ": has no output '" + present(p) + "', which feeds "
                            + withPast.getFileName() + "'s input '" + p + "'");
                }
            }
            if (!rolesA.get("ids").equals(roles.get("ids")) || !rolesA.get("hidden").equals(roles.get("hidden"))) {
                throw new CaptionerException(noPast + ": its inputs' names differ from " + withPast.getFileName() + "'s");
            }
            return new OnnxDecoder(a, b, false, roles, pasts);
        } catch (OrtException e) {
            for (OrtSession s : opened) {
                closeQuietly(s);
            }
            throw new CaptionerException(noPast + ": cannot read its outputs: " + firstLine(e), e);
        } catch (RuntimeException e) {
            for (OrtSession s : opened) {
                closeQuietly(s);
            }
            throw e;
        }
    }

    private static OrtSession session(OrtEnvironment env, OrtSession.SessionOptions options, Path file,
            List<OrtSession> opened) {
        try {
            OrtSession s = env.createSession(file.toString(), options);
            opened.add(s);
            return s;
        } catch (OrtException e) {
            throw new CaptionerException(file + ": ONNX Runtime cannot load it: " + firstLine(e), e);
        }
    }

    /** Gives each input a role; returns the past inputs. */
    private static List<String> map(Path file, OrtSession s, Map<String, String> roles, PretrainedConfig config,
            boolean needsPast) {
        List<String> pasts = new ArrayList<>();
        TreeSet<Integer> layers = new TreeSet<>();
        try {
            for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                assign(file, e.getKey(), tensor(file, "input", e.getKey(), e.getValue()), config, roles, pasts, layers);
            }
            for (String role : new String[] {"ids", "hidden"}) {
                if (!roles.containsKey(role)) {
                    throw new CaptionerException(file + ": has no input '" + (role.equals("ids") ? "input_ids"
                            : "encoder_hidden_states") + "'");
                }
            }
            if (needsPast && (layers.size() != config.layers() || layers.first() != 0
                    || layers.last() != config.layers() - 1)) {
                throw new CaptionerException(file + ": its past_key_values name " + layers.size() + " layers, "
                        + "config.json's decoder has " + config.layers());
            }
            checkOutputs(file, s.getOutputInfo(), pasts, config);
            return pasts;
        } catch (OrtException e) {
            throw new CaptionerException(file + ": cannot read its inputs: " + firstLine(e), e);
        }
    }

    private static void assign(Path file, String name, TensorInfo t, PretrainedConfig config, Map<String, String> roles,
            List<String> pasts, TreeSet<Integer> layers) {
        Matcher m = PAST.matcher(name);
        if (name.equals("input_ids") || name.equals("decoder_input_ids")) {
            require(file, name, t, OnnxJavaType.INT64, 2);
            roles.put("ids", name);
        } else if (name.equals("encoder_hidden_states")) {
            require(file, name, t, OnnxJavaType.FLOAT, 3);
            long d = t.getShape()[2];
            if (d > 0 && d != config.hidden()) {
                throw new CaptionerException(file + ": input '" + name + "' has width " + d + ", config.json's "
                        + "decoder has hidden size " + config.hidden());
            }
            roles.put("hidden", name);
        } else if (name.equals("encoder_attention_mask")) {
            require(file, name, t, OnnxJavaType.INT64, 2);
            roles.put("mask", name);
        } else if (name.equals("use_cache_branch")) {
            require(file, name, t, OnnxJavaType.BOOL, 1);
            roles.put("branch", name);
        } else if (m.matches()) {
            require(file, name, t, OnnxJavaType.FLOAT, 4);
            long[] shape = t.getShape();
            if ((shape[1] > 0 && shape[1] != config.heads()) || (shape[3] > 0 && shape[3] != config.headDim())) {
                throw new CaptionerException(file + ": input '" + name + "' has shape " + java.util.Arrays.toString(shape)
                        + ", config.json's decoder has " + config.heads() + " heads of " + config.headDim());
            }
            layers.add(Integer.parseInt(m.group(1)));
            pasts.add(name);
        } else {
            throw new CaptionerException(file + ": input '" + name + "' is not one a pretrained decoder is fed "
                    + "(input_ids, encoder_hidden_states, encoder_attention_mask, past_key_values.N.*, use_cache_branch)");
        }
    }

    private static void checkOutputs(Path file, Map<String, NodeInfo> outputs, List<String> pasts,
            PretrainedConfig config) {
        if (!outputs.containsKey("logits")) {
            throw new CaptionerException(file + ": has no output 'logits'");
        }
        long[] shape = tensor(file, "output", "logits", outputs.get("logits")).getShape();
        long v = shape[shape.length - 1];
        if (v > 0 && v != config.vocabulary()) {
            throw new CaptionerException(file + ": output 'logits' has " + v + " tokens, config.json's decoder "
                    + config.vocabulary());
        }
        for (String p : pasts) {
            String present = present(p);
            if (!outputs.containsKey(present) && !p.contains(".encoder.")) {
                throw new CaptionerException(file + ": has input '" + p + "' but no output '" + present + "'");
            }
        }
    }

    /** @return the output that feeds a past input the next step */
    static String present(String past) {
        return "present" + past.substring("past_key_values".length());
    }

    private static TensorInfo tensor(Path file, String what, String name, NodeInfo info) {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new CaptionerException(file + ": " + what + " '" + name + "' is not a tensor");
        }
        return t;
    }

    private static void require(Path file, String name, TensorInfo t, OnnxJavaType type, int rank) {
        if (t.type != type || t.getShape().length != rank) {
            throw new CaptionerException(file + ": input '" + name + "' is " + t.type + " of rank " + t.getShape().length
                    + "; expected " + type + " of rank " + rank);
        }
    }

    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }

    static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // closing after a failure; the first error is the one to report
        }
    }

    @Override
    public void close() {
        closeQuietly(first);
        if (cached != first) {
            closeQuietly(cached);
        }
    }
}
