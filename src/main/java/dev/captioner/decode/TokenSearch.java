package dev.captioner.decode;

import dev.captioner.util.CaptionerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The one greedy and beam search, for every model: it steps a {@link TokenStepper} one token at
 * a time over a batch of images and their beams, and keeps each image's best sequences as a
 * {@link SearchRules} book says. Rows are image-major: row {@code i × K + j} is beam {@code j} of
 * image {@code i}. Not thread-safe; make one per search.
 */
public final class TokenSearch {

    /**
     * What a search may generate and when it stops.
     *
     * @param book whose rules pick, finish and rank
     * @param start the token every sequence starts with
     * @param end the token that finishes a sequence
     * @param banned {@code [vocabulary]} tokens never generated, or null for none
     * @param noRepeatNgram no n-gram of this size occurs twice in a sequence (0: no rule)
     * @param maxTokens the longest sequence, the start token counted
     * @param beam beams per image (1: greedy)
     * @param lengthPenalty for {@link SearchRules#TRANSFORMERS}, the exponent of the length a
     *     hypothesis' summed log-probability is divided by; this project's rules rank by the
     *     summed log-probability, leave the penalty to the caller, and when it is positive stop
     *     an image as soon as K sequences finished
     */
    public record Rules(SearchRules book, int start, int end, boolean[] banned, int noRepeatNgram, int maxTokens,
            int beam, double lengthPenalty) {

        /** Checks the numbers. */
        public Rules {
            if (beam < 1 || maxTokens < 1 || noRepeatNgram < 0) {
                throw new IllegalArgumentException("beam " + beam + ", max tokens " + maxTokens + ", n-gram " + noRepeatNgram);
            }
        }
    }

    /**
     * The length limit a search runs to, the same for every model: the one asked for, else the
     * model's own, never more than its network reads. The last token is chosen, never read, so a
     * limit of N feeds N - 1 positions.
     *
     * @param asked the limit asked for ({@code --max-length}, tokens with both markers), or 0
     * @param modelDefault the model's own limit
     * @param positions how many tokens the network reads (its position table; unbounded for an LSTM)
     * @param what the network, as a message names it
     * @return the limit
     * @throws CaptionerException naming both numbers if the network cannot read that many
     */
    public static int maxTokens(int asked, int modelDefault, int positions, String what) {
        int maxTokens = asked > 0 ? asked : modelDefault;
        if (maxTokens - 1L > positions) {
            throw new CaptionerException("--max-length " + maxTokens + " is more than " + what + " can read: it has "
                    + "positions for " + positions + " tokens, so at most " + (positions + 1L) + " with the end marker");
        }
        return maxTokens;
    }

    /**
     * One sequence the search kept.
     *
     * @param tokens the tokens, the start token first, the end token last if it finished
     * @param logProb their summed log-probability
     * @param score what it was ranked by
     * @param finished whether it ended with the end token (false: cut at the length limit)
     * @param alphas the attention weights of each token after the start, or null
     */
    public record Sequence(int[] tokens, double logProb, double score, boolean finished, float[][] alphas) {}

    /**
     * One partial or finished sequence of one image.
     *
     * @param parent the row whose state it continues
     */
    private record Hyp(int[] tokens, double logProb, int parent, float[][] alphas) {}

    private final Rules rules;
    private final int b;
    private final int k;
    private final List<List<Hyp>> alive = new ArrayList<>();
    private final List<List<Hyp>> finished = new ArrayList<>();
    private final boolean[] done;
    /** {@code [B * K]}: the token each row feeds the network next. */
    private final long[] tokens;
    /** For Transformers' rules: each image's finished hypotheses' scores, beside {@link #finished}. */
    private final List<List<Double>> hypScores = new ArrayList<>();
    /** For Transformers' rules: the best running sum of the last step, for its stop rule. */
    private double lastBest;

    private TokenSearch(int images, Rules rules) {
        this.rules = rules;
        this.b = images;
        this.k = rules.beam();
        this.done = new boolean[b];
        this.tokens = new long[b * k];
        Arrays.fill(tokens, rules.start());
        for (int i = 0; i < b; i++) {
            alive.add(new ArrayList<>(List.of(new Hyp(new int[] {rules.start()}, 0, 0, new float[0][]))));
            finished.add(new ArrayList<>());
            hypScores.add(new ArrayList<>());
        }
    }

    /**
     * Runs a search to the end.
     *
     * @param stepper the network, positioned before the start token, with {@code images × beam} rows
     * @param images how many images
     * @param rules what to generate
     * @return for each image, the sequences kept, in the order found (callers rank them by
     *     {@link Sequence#score()} or their own score): the finished ones, or if none finished
     *     the live ones; for Transformers' beam rules, the hypotheses (at most K)
     */
    public static List<List<Sequence>> run(TokenStepper stepper, int images, Rules rules) {
        TokenSearch search = new TokenSearch(images, rules);
        boolean going = images > 0;
        for (int length = 1; length < rules.maxTokens() && going; length++) {
            float[] logp = stepper.step(search.tokens);
            long[] parents = search.advance(logp, stepper.attention());
            going = parents != null;
            if (going) {
                // Greedy search (and a beam whose rows all keep their own sequence) moves nothing.
                stepper.reorder(identity(parents) ? null : parents);
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

    /**
     * Expands every live image by one token and sets the next tokens.
     *
     * @return for each row, the row whose state it continues; null when every image is done
     */
    private long[] advance(float[] logp, float[] alpha) {
        int vocab = logp.length / (b * k);
        long[] parents = new long[b * k];
        boolean allDone = true;
        for (int i = 0; i < b; i++) {
            if (!done[i]) {
                List<Hyp> live = alive.get(i);
                List<Hyp> next = rules.book() == SearchRules.TRANSFORMERS && k > 1
                        ? expandTransformers(live, logp, i, vocab)
                        : expand(live, logp, alpha, i * k, vocab, finished.get(i));
                alive.set(i, next);
                done[i] = next.isEmpty() || (rules.book() == SearchRules.TRANSFORMERS && k > 1
                        ? doneTransformers(i, live) : enough(finished.get(i), next));
            }
            allDone &= done[i];
            List<Hyp> live = alive.get(i);
            for (int j = 0; j < k; j++) {
                Hyp h = !done[i] && j < live.size() ? live.get(j) : null;
                parents[i * k + j] = i * k + (h == null ? 0 : h.parent());
                tokens[i * k + j] = h == null ? rules.start() : h.tokens()[h.tokens().length - 1];
            }
            // Beam j's state moves to row j.
            for (int j = 0; j < live.size(); j++) {
                live.set(j, new Hyp(live.get(j).tokens(), live.get(j).logProb(), j, live.get(j).alphas()));
            }
        }
        return allDone ? null : parents;
    }

    private boolean allowed(int[] seq, int v) {
        return (rules.banned() == null || !rules.banned()[v])
                && (rules.noRepeatNgram() == 0 || !repeatsNgram(seq, v, rules.noRepeatNgram()));
    }

    /**
     * This project's step (and every greedy step): the K best continuations of an image's live
     * sequences; those that end move to {@code finished}.
     */
    private List<Hyp> expand(List<Hyp> live, float[] logp, float[] alpha, int row0, int vocab, List<Hyp> ended) {
        // Min-heap of the K best (score, hypothesis index, token) candidates.
        PriorityQueue<double[]> best = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0]));
        for (int j = 0; j < live.size(); j++) {
            Hyp h = live.get(j);
            int base = (row0 + h.parent()) * vocab;
            for (int v = 0; v < vocab; v++) {
                double s = h.logProb() + logp[base + v];
                boolean wanted = best.size() < k || s > best.peek()[0];
                if (!wanted || !allowed(h.tokens(), v)) {
                    continue;
                }
                if (best.size() == k) {
                    best.poll();
                }
                best.add(new double[] {s, j, v});
            }
        }
        List<double[]> chosen = new ArrayList<>(best);
        chosen.sort(Comparator.comparingDouble((double[] a) -> a[0]).reversed());
        List<Hyp> next = new ArrayList<>();
        int locations = alpha == null ? 0 : alpha.length / (logp.length / vocab);
        for (double[] c : chosen) {
            Hyp parent = live.get((int) c[1]);
            Hyp child = child(parent, (int) c[2], c[0], alpha, row0, locations);
            if (child.tokens()[child.tokens().length - 1] == rules.end()) {
                ended.add(new Hyp(child.tokens(), child.logProb(), -1, child.alphas()));
            } else {
                next.add(child);
            }
        }
        return next;
    }

    private static Hyp child(Hyp parent, int token, double logProb, float[] alpha, int row0, int locations) {
        int[] seq = Arrays.copyOf(parent.tokens(), parent.tokens().length + 1);
        seq[seq.length - 1] = token;
        float[][] alphas = null;
        if (alpha != null) {
            // The weights that produced this token: those of its parent's row in this step.
            int row = row0 + parent.parent();
            alphas = Arrays.copyOf(parent.alphas(), parent.alphas().length + 1);
            alphas[alphas.length - 1] = Arrays.copyOfRange(alpha, row * locations, (row + 1) * locations);
        }
        // Its state is the one the network just computed in its parent's row.
        return new Hyp(seq, logProb, parent.parent(), alphas);
    }

    /** This project's stop: K finished sequences that no live one can beat. */
    private boolean enough(List<Hyp> ended, List<Hyp> live) {
        if (ended.size() < k) {
            return false;
        }
        if (rules.lengthPenalty() > 0) {
            // Ranked by a length-normalised score, a longer live sequence might still win; this
            // project stops at K finished ones anyway.
            return true;
        }
        double worstKept = ended.stream().mapToDouble(Hyp::logProb).sorted().skip(Math.max(0, ended.size() - k))
                .findFirst().orElse(Double.NEGATIVE_INFINITY);
        double bestAlive = live.stream().mapToDouble(Hyp::logProb).max().orElse(Double.NEGATIVE_INFINITY);
        // Log-probabilities only fall as sequences grow.
        return bestAlive <= worstKept;
    }

    /**
     * Transformers' beam step (BeamSearchScorer.process): the 2K best continuations over the
     * image's beams; an end token among the first K ranks finishes a hypothesis, later ones are
     * dropped; the others fill the K beams. On the first step only beam 0 takes part (the others
     * start at -1e9 there).
     */
    private List<Hyp> expandTransformers(List<Hyp> live, float[] logp, int image, int vocab) {
        int want = 2 * k;
        PriorityQueue<double[]> best = new PriorityQueue<>(Comparator.comparingDouble((double[] a) -> a[0])
                .thenComparingDouble(a -> -a[3]));
        for (int j = 0; j < live.size(); j++) {
            Hyp h = live.get(j);
            int base = (image * k + h.parent()) * vocab;
            for (int v = 0; v < vocab; v++) {
                double s = h.logProb() + logp[base + v];
                boolean wanted = best.size() < want || s > best.peek()[0];
                if (!wanted || !allowed(h.tokens(), v)) {
                    continue;
                }
                if (best.size() == want) {
                    best.poll();
                }
                best.add(new double[] {s, j, v, (double) j * vocab + v});
            }
        }
        List<double[]> ranked = new ArrayList<>(best);
        ranked.sort(Comparator.comparingDouble((double[] a) -> -a[0]).thenComparingDouble(a -> a[3]));
        List<Hyp> next = new ArrayList<>();
        for (int rank = 0; rank < ranked.size() && next.size() < k; rank++) {
            double[] c = ranked.get(rank);
            Hyp parent = live.get((int) c[1]);
            if ((int) c[2] == rules.end()) {
                if (rank < k) {
                    addHypothesis(image, parent.tokens(), c[0], true);
                }
            } else {
                next.add(child(parent, (int) c[2], c[0], null, 0, 0));
            }
        }
        lastBest = ranked.isEmpty() ? Double.NEGATIVE_INFINITY : ranked.get(0)[0];
        return next;
    }

    /**
     * BeamHypotheses.add: a hypothesis scored {@code sum / length^penalty}, its length the tokens
     * before the end token (the start counted); at most K kept, the worst dropped.
     */
    private void addHypothesis(int image, int[] seq, double sum, boolean ended) {
        double score = sum / Math.pow(seq.length, rules.lengthPenalty());
        List<Hyp> hyps = finished.get(image);
        List<Double> scores = hypScores.get(image);
        if (hyps.size() >= k && score <= scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow()) {
            return;
        }
        int[] kept = seq;
        if (ended) {
            kept = Arrays.copyOf(seq, seq.length + 1);
            kept[seq.length] = rules.end();
        }
        hyps.add(new Hyp(kept, sum, -1, null));
        scores.add(score);
        if (hyps.size() > k) {
            int worst = 0;
            for (int i = 1; i < scores.size(); i++) {
                if (scores.get(i) < scores.get(worst)) {
                    worst = i;
                }
            }
            hyps.remove(worst);
            scores.remove(worst);
        }
    }

    /**
     * BeamHypotheses.is_done with early stopping off: K hypotheses, the worst at least the best
     * running sum over the length the next token would make.
     */
    private boolean doneTransformers(int image, List<Hyp> before) {
        List<Double> scores = hypScores.get(image);
        if (scores.size() < k) {
            return false;
        }
        int curLen = before.get(0).tokens().length + 1;
        double worst = scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        return worst >= lastBest / Math.pow(curLen, rules.lengthPenalty());
    }

    /** @return each image's kept sequences */
    private List<List<Sequence>> results() {
        List<List<Sequence>> result = new ArrayList<>(b);
        boolean transformersBeam = rules.book() == SearchRules.TRANSFORMERS && k > 1;
        for (int i = 0; i < b; i++) {
            List<Sequence> seqs = new ArrayList<>();
            if (transformersBeam) {
                if (!done[i]) {
                    // BeamSearchScorer.finalize: the live beams join the hypotheses.
                    for (Hyp h : alive.get(i)) {
                        addHypothesis(i, h.tokens(), h.logProb(), false);
                    }
                }
                List<Hyp> hyps = finished.get(i);
                for (int j = 0; j < hyps.size(); j++) {
                    Hyp h = hyps.get(j);
                    boolean ended = h.tokens()[h.tokens().length - 1] == rules.end() && h.tokens().length > 1;
                    seqs.add(new Sequence(h.tokens(), h.logProb(), hypScores.get(i).get(j), ended, null));
                }
            } else {
                for (Hyp h : finished.get(i)) {
                    seqs.add(new Sequence(h.tokens(), h.logProb(), h.logProb(), true, h.alphas()));
                }
                if (seqs.isEmpty()) {
                    for (Hyp h : alive.get(i)) {
                        seqs.add(new Sequence(h.tokens(), h.logProb(), h.logProb(), false, h.alphas()));
                    }
                }
            }
            result.add(seqs);
        }
        return result;
    }

    /**
     * @param seq a sequence so far
     * @param next a candidate token
     * @param n the n-gram size
     * @return whether appending it makes an n-gram the sequence already has (Transformers'
     *     NoRepeatNGramLogitsProcessor; n = 3 is this project's trigram blocking)
     */
    static boolean repeatsNgram(int[] seq, int next, int n) {
        int len = seq.length;
        for (int i = 0; i + n - 1 < len; i++) {
            if (seq[i + n - 1] == next && matches(seq, i, len - (n - 1), n - 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(int[] seq, int a, int b, int count) {
        for (int j = 0; j < count; j++) {
            if (seq[a + j] != seq[b + j]) {
                return false;
            }
        }
        return true;
    }
}
