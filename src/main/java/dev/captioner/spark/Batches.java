package dev.captioner.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A partition's rows processed a batch at a time, lazily: Spark pulls output rows, and the next
 * batch is read and processed only when the previous one has been handed on.
 *
 * @param <T> input rows
 * @param <R> output rows
 */
final class Batches<T, R> implements Iterator<R> {

    private final Iterator<T> in;
    private final int size;
    private final Function<List<T>, List<R>> process;
    private Iterator<R> current = List.<R>of().iterator();

    Batches(Iterator<T> in, int size, Function<List<T>, List<R>> process) {
        this.in = in;
        this.size = size;
        this.process = process;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && in.hasNext()) {
            List<T> batch = new ArrayList<>(size);
            while (batch.size() < size && in.hasNext()) {
                batch.add(in.next());
            }
            current = process.apply(batch).iterator();
        }
        return current.hasNext();
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
