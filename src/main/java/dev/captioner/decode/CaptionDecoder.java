package dev.captioner.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.CaptionNet;
import dev.captioner.util.Torch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Generates captions from image features: greedy search (beam 1, the Keras tutorial's) or beam search,
 * batched over images and beams, stepping the LSTM one token at a time. Beam search keeps the K
 * best partial captions; one that picks the end marker is finished. The search stops for an
 * image when it has K finished captions that no partial one can beat, or at the length limit,
 * where the best unfinished caption is returned if none finished: decoding never fails for lack
 * of an end marker. Padding, the start marker and {@code <unk>} are never generated; the output
 * holds no markers. Safe to call from several threads.
 */
public final class CaptionDecoder {

    private final CaptionModel model;
    private final int start;
    private final int end;
    private final boolean[] banned;

    /** @param model a loaded model */
    public CaptionDecoder(CaptionModel model) {
        this.model = model;
        Vocabulary v = model.vocabulary();
        start = v.index(Cleaning.START);
        end = v.index(Cleaning.END);
        banned = new boolean[v.size()];
        banned[Vocabulary.PAD] = true;
        if (start > 0) {
            banned[start] = true;
        }
        if (v.hasUnk()) {
            banned[v.index(Vocabulary.UNK)] = true;
        }
    }

    /**
     * One partial or finished caption of one image.
     *
     * @param tokens the tokens so far, the start marker first
     * @param logProb their log-probability
     * @param parent the row whose decoding state it continues
     * @param alphas the attention weights of each token after the start marker, or null
     */
    private record Hyp(int[] tokens, double logProb, int parent, float[][] alphas) {}

    /**
     * @param features {@code [B][F]} image features
     * @param options beam width, length limit, length penalty
     * @return for each image, up to {@code beam} captions, best first
     */
    public List<List<Caption>> decode(float[][] features, DecodeSpec options) {
        Torch.noGrad();
        if (features.length == 0) {
            return List.of();
        }
        int maxTokens = options.maxLength() > 0 ? options.maxLength() : model.config().maxLength();
        Search search = new Search(features.length, options);
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            // Rows are image-major: row i*k + j is beam j of image i.
            CaptionNet.Decoding decoding = model.net().startDecoding(ps, m.create(flatten(features),
                    new Shape(features.length, model.config().featureDim())), options.beam());
            boolean going = true;
            for (int step = 1; step < maxTokens && going; step++) {
                going = search.step(m, ps, decoding);
            }
        }
        return search.results();
    }

    private static boolean identity(long[] parents) {
        for (int r = 0; r < parents.length; r++) {
            if (parents[r] != r) {
                return false;
            }
        }
        return true;
    }

    /** @return {@code [B * F]}: the features of every image, one after another */
    private float[] flatten(float[][] features) {
        int f = model.config().featureDim();
        float[] flat = new float[features.length * f];
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != f) {
                throw new IllegalArgumentException("feature of length " + features[i].length + ", the model reads " + f);
            }
            System.arraycopy(features[i], 0, flat, i * f, f);
        }
        return flat;
    }

    /** The state of a search over a batch of images: their live and finished captions. */
    private final class Search {
        private final int b;
        private final int k;
        private final DecodeSpec options;
        private final List<List<Hyp>> alive = new ArrayList<>();
        private final List<List<Hyp>> finished = new ArrayList<>();
        private final boolean[] done;
        /** {@code [B * K]}: the token each row feeds the LSTM next. */
        private final long[] tokens;

        Search(int b, DecodeSpec options) {
            this.b = b;
            this.k = options.beam();
            this.options = options;
            this.done = new boolean[b];
            this.tokens = new long[b * k];
            java.util.Arrays.fill(tokens, start);
            for (int i = 0; i < b; i++) {
                alive.add(new ArrayList<>(List.of(new Hyp(new int[] {start}, 0, 0, new float[0][]))));
                finished.add(new ArrayList<>());
            }
        }

        /**
         * Steps the network once for every row, keeps each image's K best continuations, and
         * moves each surviving beam's state to its row.
         *
         * @return whether any image goes on
         */
        boolean step(NDManager m, ParameterStore ps, CaptionNet.Decoding decoding) {
            // Each step's arrays are freed with the step; the decoding keeps only its new state.
            try (NDManager stepManager = m.newSubManager()) {
                float[] logp = decoding.step(stepManager, ps, stepManager.create(tokens, new Shape(b * k, 1)))
                        .toFloatArray();
                NDArray alpha = decoding.attention();
                long[] parents = advance(logp, alpha == null ? null : alpha.toFloatArray());
                if (parents == null) {
                    return false;
                }
                // Greedy search (and a beam whose rows all keep their own caption) moves nothing.
                decoding.reorder(stepManager, identity(parents) ? null : stepManager.create(parents));
                return true;
            }
        }

        /**
         * Expands every live image by one token and sets the next tokens.
         *
         * @return for each row, the row whose state it continues; null when every image is done
         */
        private long[] advance(float[] logp, float[] alpha) {
            int vocab = model.config().vocabularySize();
            long[] parents = new long[b * k];
            boolean allDone = true;
            for (int i = 0; i < b; i++) {
                if (!done[i]) {
                    List<Hyp> next = expand(alive.get(i), logp, alpha, i * k, vocab, k, finished.get(i),
                            options.blockTrigrams());
                    alive.set(i, next);
                    done[i] = next.isEmpty() || enough(finished.get(i), next, k, options);
                }
                allDone &= done[i];
                List<Hyp> live = alive.get(i);
                for (int j = 0; j < k; j++) {
                    Hyp h = !done[i] && j < live.size() ? live.get(j) : null;
                    parents[i * k + j] = i * k + (h == null ? 0 : h.parent());
                    tokens[i * k + j] = h == null ? start : h.tokens()[h.tokens().length - 1];
                }
                // Beam j's state moves to row j.
                for (int j = 0; j < live.size(); j++) {
                    live.set(j, new Hyp(live.get(j).tokens(), live.get(j).logProb(), j, live.get(j).alphas()));
                }
            }
            return allDone ? null : parents;
        }

        /** @return each image's best captions: the finished ones, or the unfinished if none finished */
        List<List<Caption>> results() {
            List<List<Caption>> result = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                List<Caption> caps = new ArrayList<>();
                for (Hyp h : finished.get(i)) {
                    caps.add(caption(h, true, options));
                }
                if (caps.isEmpty()) {
                    for (Hyp h : alive.get(i)) {
                        caps.add(caption(h, false, options));
                    }
                }
                caps.sort(Comparator.comparingDouble(Caption::score).reversed());
                result.add(caps.size() > k ? List.copyOf(caps.subList(0, k)) : caps);
            }
            return result;
        }
    }

    /**
     * One step of one image: the K best continuations of its live captions. Those that end are
     * moved to {@code finished}.
     */
    private List<Hyp> expand(List<Hyp> live, float[] logp, float[] alpha, int row0, int vocab, int k,
            List<Hyp> finished, boolean blockTrigrams) {
        // Min-heap of the K best (score, hypothesis index, token) candidates.
        PriorityQueue<double[]> best = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0]));
        for (int j = 0; j < live.size(); j++) {
            Hyp h = live.get(j);
            int base = (row0 + h.parent()) * vocab;
            for (int v = 1; v < vocab; v++) {
                if (banned[v]) {
                    continue;
                }
                double s = h.logProb() + logp[base + v];
                boolean wanted = best.size() < k || s > best.peek()[0];
                if (!wanted || (blockTrigrams && repeatsTrigram(h.tokens(), v))) {
                    continue;
                }
                if (best.size() < k) {
                    best.add(new double[] {s, j, v});
                } else {
                    best.poll();
                    best.add(new double[] {s, j, v});
                }
            }
        }
        List<double[]> chosen = new ArrayList<>(best);
        chosen.sort(Comparator.comparingDouble((double[] a) -> a[0]).reversed());
        List<Hyp> next = new ArrayList<>();
        int locations = alpha == null ? 0 : alpha.length / (logp.length / vocab);
        for (double[] c : chosen) {
            Hyp parent = live.get((int) c[1]);
            int token = (int) c[2];
            int[] tokens = java.util.Arrays.copyOf(parent.tokens(), parent.tokens().length + 1);
            tokens[tokens.length - 1] = token;
            float[][] alphas = null;
            if (alpha != null) {
                // The weights that produced this token: those of its parent's row in this step.
                int row = row0 + parent.parent();
                alphas = java.util.Arrays.copyOf(parent.alphas(), parent.alphas().length + 1);
                alphas[alphas.length - 1] = java.util.Arrays.copyOfRange(alpha, row * locations, (row + 1) * locations);
            }
            if (token == end) {
                finished.add(new Hyp(tokens, c[0], -1, alphas));
            } else {
                // Its state is the one the network just computed in its parent's row.
                next.add(new Hyp(tokens, c[0], parent.parent(), alphas));
            }
        }
        return next;
    }

    /**
     * @param tokens a caption so far
     * @param next a candidate word
     * @return whether appending it makes a trigram the caption already has
     */
    static boolean repeatsTrigram(int[] tokens, int next) {
        int n = tokens.length;
        if (n < 2) {
            return false;
        }
        int a = tokens[n - 2];
        int b = tokens[n - 1];
        for (int i = 0; i + 2 < n; i++) {
            if (tokens[i] == a && tokens[i + 1] == b && tokens[i + 2] == next) {
                return true;
            }
        }
        return false;
    }

    /** Whether an image's search can stop: K finished captions and no live one can beat them. */
    private static boolean enough(List<Hyp> finished, List<Hyp> alive, int k, DecodeSpec options) {
        if (finished.size() < k) {
            return false;
        }
        if (options.lengthPenalty() > 0) {
            return true;
        }
        double worstKept = finished.stream().mapToDouble(Hyp::logProb).sorted().skip(Math.max(0, finished.size() - k))
                .findFirst().orElse(Double.NEGATIVE_INFINITY);
        double bestAlive = alive.stream().mapToDouble(Hyp::logProb).max().orElse(Double.NEGATIVE_INFINITY);
        // Log-probabilities only fall as captions grow.
        return bestAlive <= worstKept;
    }

    private Caption caption(Hyp h, boolean finished, DecodeSpec options) {
        List<String> words = new ArrayList<>();
        List<float[]> attention = h.alphas() == null ? null : new ArrayList<>();
        Vocabulary v = model.vocabulary();
        int[] tokens = h.tokens();
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (t != start && t != end && t != Vocabulary.PAD) {
                words.add(v.word(t));
                if (attention != null) {
                    attention.add(h.alphas()[i - 1]);
                }
            }
        }
        double score = h.logProb();
        if (options.lengthPenalty() > 0) {
            score /= Math.pow((5.0 + words.size() + (finished ? 1 : 0)) / 6.0, options.lengthPenalty());
        }
        return new Caption(words, h.logProb(), score, finished, attention);
    }
}
