package dev.captioner.cli;

import dev.captioner.data.Cleaning;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --cleaning seed|keep-short}. */
final class CleaningConverter implements ITypeConverter<Cleaning> {
    @Override
    public Cleaning convert(String value) {
        return Cleaning.parse(value);
    }
}
