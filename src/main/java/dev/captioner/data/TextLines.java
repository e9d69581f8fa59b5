package dev.captioner.data;

import dev.captioner.util.CaptionerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads the text files of a dataset: UTF-8 (bad bytes replaced), a leading BOM dropped. */
final class TextLines {

    /** Receives one line and its 1-based number. */
    @FunctionalInterface
    interface LineHandler {
        void line(int number, String text);
    }

    private TextLines() {}

    /**
     * Opens a text file of the source as a reader.
     *
     * @throws CaptionerException if the file cannot be opened
     */
    static Reader reader(DataSource source, String path) {
        InputStream in = null;
        try {
            in = source.open(path);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)));
            r.mark(1);
            if (r.read() != '\uFEFF') {
                r.reset();
            }
            return r;
        } catch (IOException e) {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new CaptionerException(source.describe(path) + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Calls {@code handler} for each line of a text file. */
    static void forEach(DataSource source, String path, LineHandler handler) {
        try (BufferedReader r = (BufferedReader) reader(source, path)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                handler.line(++n, line);
            }
        } catch (IOException e) {
            throw new CaptionerException(source.describe(path) + ": cannot read: " + e.getMessage(), e);
        }
    }
}
