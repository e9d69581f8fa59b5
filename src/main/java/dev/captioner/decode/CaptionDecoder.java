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
     * @param features {@code [B][F]} image features
     * @param options beam width, length limit, length penalty
     * @return for each image, up to {@code beam} captions, best first
     */
    public List<List<Caption>> decode(float[][] features, DecodeSpec options) {
        Torch.noGrad();
        if (features.length == 0) {
            return List.of();
        }
        int maxTokens = TokenSearch.maxTokens(options.maxLength(), model.config().maxLength(), model.net().positions(),
                "the " + model.config().architecture().id());
        TokenSearch.Rules rules = new TokenSearch.Rules(SearchRules.CAPTIONER, start, end, banned,
                options.blockTrigrams() ? 3 : 0, maxTokens, options.beam(), options.lengthPenalty());
        List<List<TokenSearch.Sequence>> found;
        try (NDManager m = model.manager().newSubManager(); NetStepper stepper = new NetStepper(m)) {
            // Rows are image-major: row i*k + j is beam j of image i.
            stepper.decoding = model.net().startDecoding(stepper.ps, m.create(flatten(features),
                    new Shape(features.length, model.config().featureDim())), options.beam());
            found = TokenSearch.run(stepper, features.length, rules);
        }
        List<List<Caption>> result = new ArrayList<>(found.size());
        for (List<TokenSearch.Sequence> image : found) {
            List<Caption> caps = new ArrayList<>();
            for (TokenSearch.Sequence s : image) {
                caps.add(caption(s, options));
            }
            caps.sort(Comparator.comparingDouble(Caption::score).reversed());
            result.add(caps.size() > options.beam() ? List.copyOf(caps.subList(0, options.beam())) : caps);
        }
        return result;
    }

    /** A caption network's decoding state as a {@link TokenStepper}; each step's arrays live until its reorder. */
    private static final class NetStepper implements TokenStepper {
        private final NDManager m;
        private final ParameterStore ps;
        private CaptionNet.Decoding decoding;
        private NDManager step;

        NetStepper(NDManager m) {
            this.m = m;
            this.ps = new ParameterStore(m, false);
        }

        @Override
        public float[] step(long[] tokens) {
            close();
            step = m.newSubManager();
            return decoding.step(step, ps, step.create(tokens, new Shape(tokens.length, 1))).toFloatArray();
        }

        @Override
        public float[] attention() {
            NDArray alpha = decoding.attention();
            return alpha == null ? null : alpha.toFloatArray();
        }

        @Override
        public void reorder(long[] parents) {
            decoding.reorder(step, parents == null ? null : step.create(parents));
            close();
        }

        @Override
        public void close() {
            // The decoding keeps only its new state; the step's arrays go with it.
            if (step != null) {
                step.close();
                step = null;
            }
        }
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

    /**
     * @param tokens a caption so far
     * @param next a candidate word
     * @return whether appending it makes a trigram the caption already has
     */
    static boolean repeatsTrigram(int[] tokens, int next) {
        return TokenSearch.repeatsNgram(tokens, next, 3);
    }

    private Caption caption(TokenSearch.Sequence h, DecodeSpec options) {
        boolean finished = h.finished();
        List<String> words = new ArrayList<>();
        List<float[]> attention = h.alphas() == null ? null : new ArrayList<>();
        Vocabulary v = model.vocabulary();
        int[] tokens = h.tokens();
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (!v.special(t)) {
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
        return new Caption(words, h.logProb(), score, finished, attention, tokens);
    }
}
