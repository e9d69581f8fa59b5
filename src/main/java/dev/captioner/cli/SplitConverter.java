package dev.captioner.cli;

import dev.captioner.data.Split;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --split train|dev|test} (also {@code val}). */
final class SplitConverter implements ITypeConverter<Split> {
    @Override
    public Split convert(String value) {
        Split s = Split.parse(value);
        if (s == null) {
            throw new IllegalArgumentException("expected train, dev or test, was '" + value + "'");
        }
        return s;
    }
}
