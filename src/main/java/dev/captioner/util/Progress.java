package dev.captioner.util;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long job: a bar with rate and ETA on a terminal, plain log lines (every ten
 * seconds and at the end) otherwise, so that logs of unattended runs stay readable. Safe to call
 * from several threads.
 */
public final class Progress implements AutoCloseable {

    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private final String task;
    private final String unit;
    private final long total;
    private final ProgressBar bar;
    private final PrintStream log;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastLogNanos = startNanos;
    private String extra = "";

    private Progress(String task, long total, String unit, ProgressBar bar, PrintStream log) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.bar = bar;
        this.log = log;
    }

    /** Restores an earlier progress setting. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }

    /** Where progress goes when the caller names no log, and whether a terminal shows it. */
    private record Output(PrintStream log, boolean interactive) {}

    private static volatile Output output = new Output(System.err,
            System.console() != null && !Boolean.getBoolean("captioner.plainProgress"));

    /**
     * Sets where progress goes: the {@code captioner} command points it at its error writer,
     * and asks for bars only when it runs on a terminal.
     *
     * @param log where plain progress lines go when the caller names no log
     * @param interactive whether to draw bars (on the process's terminal) instead of lines
     * @return a handle that restores the previous setting when closed
     */
    public static Restore configure(PrintStream log, boolean interactive) {
        Output before = output;
        output = new Output(log, interactive);
        return () -> output = before;
    }

    /** @return where plain progress lines and other library messages go when the caller names no log */
    public static PrintStream defaultLog() {
        return output.log();
    }

    /**
     * Starts reporting progress to the configured output.
     *
     * @param task short name shown before the bar, e.g. {@code "features"}
     * @param total number of steps, or -1 if unknown
     * @param unit what one step is, e.g. {@code "images"}
     * @return a running progress report
     */
    public static Progress start(String task, long total, String unit) {
        Output o = output;
        return start(task, total, unit, o.interactive(), o.log());
    }

    /**
     * Starts reporting progress, with plain lines going to a given log.
     *
     * @param log where plain progress lines go (unless a terminal shows a bar)
     * @param task short name shown before the bar
     * @param total number of steps, or -1 if unknown
     * @param unit what one step is
     * @return a running progress report
     */
    public static Progress start(PrintStream log, String task, long total, String unit) {
        return start(task, total, unit, output.interactive(), log);
    }

    private static Progress start(String task, long total, String unit, boolean terminal, PrintStream log) {
        if (terminal) {
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(total)
                    .setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .showSpeed()
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .build();
            return new Progress(task, total, unit, bar, null);
        }
        return new Progress(task, total, unit, null, log);
    }

    /** Advances by one step. */
    public void step() {
        stepBy(1);
    }

    /**
     * Advances by several steps.
     *
     * @param n steps finished
     */
    public synchronized void stepBy(long n) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            log.println(line(now));
        }
    }

    /**
     * Sets the text shown after the bar, e.g. the current loss.
     *
     * @param message short text
     */
    public synchronized void message(String message) {
        extra = message == null ? "" : message;
        if (bar != null) {
            bar.setExtraMessage(" " + extra);
        }
    }

    /** @return steps done so far */
    public synchronized long done() {
        return done;
    }

    /** @return steps per second since the start */
    public synchronized double rate() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds > 0 ? done / seconds : 0;
    }

    private String line(long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder sb = new StringBuilder(task).append(": ").append(done);
        if (total > 0) {
            sb.append('/').append(total).append(String.format(" (%.0f%%)", 100.0 * done / total));
        }
        sb.append(String.format(" %.1f %s/s", rate, unit));
        if (total > 0 && rate > 0) {
            sb.append(" ETA ").append(formatDuration((long) ((total - done) / rate)));
        }
        if (!extra.isEmpty()) {
            sb.append(' ').append(extra);
        }
        return sb.toString();
    }

    private static String formatDuration(long seconds) {
        return String.format("%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        } else if (done > 0) {
            log.println(line(System.nanoTime()));
        }
    }
}
