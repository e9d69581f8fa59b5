package dev.captioner.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.Pair;
import dev.captioner.train.AdamOptimizer;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionNet;
import dev.captioner.util.EngineThreads;
import java.util.function.Supplier;

/**
 * A bound on the merge model's training rate: the parts of a training step that no implementation
 * of the same network, loss and optimiser can skip, each timed alone through the same PyTorch on
 * all cores — the output layer's forward product (with its bias), its two backward products (to
 * the hidden layer and to the weights), the LSTM's forward and backward pass, log-softmax with
 * the targets' gather forward and backward, and the Adam update of every parameter. Their sum is
 * what a step would take if nothing else cost anything (no dropout, embedding, image or head
 * layer, copy, allocation or dispatch), so the predictions of a step over that sum is a rate
 * training cannot beat with these kernels on this machine.
 *
 * @param predictionsPerStep next-word predictions in a batch of mean-length captions
 * @param outputForwardMs {@code [M, units] · [units, V] + bias}
 * @param outputBackwardMs {@code [M, V] · [V, units]}, {@code [V, M] · [M, units]} and the bias's sum
 * @param lstmMs the LSTM over {@code [batch, mean length − 1, embed]}, forward and backward
 * @param logSoftmaxMs log-softmax over {@code [M, V]} and the gather of M targets, forward and
 *     backward
 * @param adamMs one update of the merge model's parameters
 * @param sumMs the parts together
 * @param boundTokensPerSecond {@code predictionsPerStep / sumMs}
 */
public record StepParts(int predictionsPerStep, double outputForwardMs, double outputBackwardMs, double lstmMs,
        double logSoftmaxMs, double adamMs, double sumMs, double boundTokensPerSecond) {

    /**
     * @param predictionsPerStep next-word predictions in a step
     * @param parts the parts' times, in the order of this record's components
     * @return the parts, their sum and the bound they make
     */
    static StepParts of(int predictionsPerStep, double... parts) {
        if (parts.length != 5) {
            throw new IllegalArgumentException("five parts, got " + parts.length);
        }
        double sum = 0;
        for (double p : parts) {
            sum += p;
        }
        return new StepParts(predictionsPerStep, parts[0], parts[1], parts[2], parts[3], parts[4], sum,
                predictionsPerStep / (sum / 1000));
    }

    /**
     * Times each part (best of three rounds after a warm-up) on the shape's mean batch.
     *
     * @param shape the training data's shape
     * @param seed initialisation seed
     * @param reps repetitions per round
     * @return the parts and the bound
     */
    public static StepParts measure(TrainBenchmark.Shape shape, long seed, int reps) {
        int units = 256;
        int batch = shape.batchSize();
        int steps = shape.meanLength() - 1;
        int m = batch * steps;
        int v = shape.vocabulary();
        EngineThreads.set(Runtime.getRuntime().availableProcessors());
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            // [M, units] hidden layer, [V, units] output weights, [V] bias, [M, V] gradient of the logits.
            NDArray hidden = manager.randomUniform(0, 1, new Shape(m, units));
            NDArray weight = manager.randomUniform(-0.05f, 0.05f, new Shape(v, units));
            NDArray bias = manager.zeros(new Shape(v));
            NDArray gradient = manager.randomUniform(-1e-4f, 1e-4f, new Shape(m, v));
            double forward = time(manager, reps, () -> hidden.getNDArrayInternal().linear(hidden, weight, bias),
                    hidden, weight, bias);
            double backward = time(manager, reps, () -> new NDList(gradient.matMul(weight),
                    gradient.transpose().matMul(hidden), gradient.sum(new int[] {0})), gradient, weight, hidden);

            LSTM lstm = LSTM.builder().setStateSize(units).setNumLayers(1).optBatchFirst(true).optReturnState(true)
                    .build();
            lstm.setInitializer(new UniformInitializer(0.05f), Parameter.Type.WEIGHT);
            // [batch, steps, embed] embedded tokens; [1, batch, units] initial state.
            Shape sequence = new Shape(batch, steps, units);
            lstm.initialize(manager, DataType.FLOAT32, sequence);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray embedded = manager.randomUniform(-0.05f, 0.05f, sequence);
            embedded.setRequiresGradient(true);
            NDArray h0 = manager.zeros(new Shape(1, batch, units));
            NDArray c0 = manager.zeros(new Shape(1, batch, units));
            double recurrent = timeWithBackward(manager, reps,
                    () -> lstm.forward(ps, new NDList(embedded, h0, c0), true).get(0).sum(), embedded, h0, c0);

            NDArray logits = manager.randomUniform(-1, 1, new Shape(m, v));
            logits.setRequiresGradient(true);
            NDArray targets = manager.randomInteger(0, v, new Shape(m, 1), DataType.INT64);
            double softmax = timeWithBackward(manager, reps,
                    () -> logits.logSoftmax(1).gather(targets, 1).mean().neg(), logits, targets);

            double adam = adamMs(shape, manager, reps);
            return of(m, forward, backward, recurrent, softmax, adam);
        }
    }

    /** One update of the merge model's parameters, with gradients present as after a backward pass. */
    private static double adamMs(TrainBenchmark.Shape shape, NDManager manager, int reps) {
        CaptionNet net = CaptionNet.create(TrainBenchmark.config(shape, Architecture.MERGE, null));
        net.initialize(manager);
        try (AdamOptimizer adam = new AdamOptimizer(net.getParameters(), 1e-3f, 5f, manager)) {
            try (NDManager s = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray total = null;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    NDArray part = p.getValue().getArray().sum();
                    total = total == null ? part : total.add(part);
                }
                total.attach(s);
                gc.backward(total);
            }
            return best(reps, adam::step);
        }
    }

    private static double time(NDManager manager, int reps, Supplier<?> op, NDArray... inputs) {
        return best(reps, () -> {
            try (NDManager s = manager.newSubManager()) {
                // Results land in their inputs' manager: lend the inputs to this step's.
                for (NDArray a : inputs) {
                    a.tempAttach(s);
                }
                op.get();
            }
        });
    }

    private static double timeWithBackward(NDManager manager, int reps, Supplier<NDArray> loss,
            NDArray... inputs) {
        return best(reps, () -> {
            try (NDManager s = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                for (NDArray a : inputs) {
                    a.tempAttach(s);
                }
                NDArray l = loss.get();
                l.attach(s);
                gc.backward(l);
            }
        });
    }

    /** @return the best of three rounds' mean milliseconds per call, after one warm-up round */
    private static double best(int reps, Runnable call) {
        for (int i = 0; i < Math.max(1, reps / 2); i++) {
            call.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                call.run();
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e6 / reps);
        }
        return best;
    }
}
