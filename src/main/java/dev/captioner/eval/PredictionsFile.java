package dev.captioner.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads predictions to score: JSON lines with {@code image} and {@code caption}, or a CSV file
 * with the header {@code image,caption}. Every line must parse and name an image the dataset
 * knows; otherwise the error names the line.
 */
public final class PredictionsFile {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PredictionsFile() {}

    /**
     * @param file the predictions
     * @param known image names the dataset has
     * @return image name to caption, in file order
     */
    public static Map<String, String> read(Path file, Set<String> known) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
        String first = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        Map<String, String> out = first.startsWith("{") ? jsonLines(file, lines, known) : csv(file, known);
        if (out.isEmpty()) {
            throw new CaptionerException(file + ": no predictions");
        }
        return out;
    }

    private static Map<String, String> jsonLines(Path file, List<String> lines, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new CaptionerException(where + ": not a JSON object: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject() || !node.path("image").isTextual() || !node.path("caption").isTextual()) {
                throw new CaptionerException(where + ": expected an object with string fields 'image' and 'caption'");
            }
            put(out, where, node.get("image").asText(), node.get("caption").asText(), known);
        }
        return out;
    }

    private static Map<String, String> csv(Path file, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
            long previous = 0;
            boolean header = true;
            for (CSVRecord r : parser) {
                String where = file + ":" + (previous + 1);
                previous = parser.getCurrentLineNumber();
                if (header) {
                    header = false;
                    if (r.size() == 2 && r.get(0).strip().equalsIgnoreCase("image")) {
                        continue;
                    }
                    throw new CaptionerException(where + ": expected JSON lines, or CSV with the header 'image,caption'");
                }
                if (r.size() != 2) {
                    throw new CaptionerException(where + ": expected 2 fields (image,caption), found " + r.size());
                }
                put(out, where, r.get(0).strip(), r.get(1).strip(), known);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new CaptionerException(file + ": malformed CSV: " + e.getMessage(), e);
        }
        return out;
    }

    private static void put(Map<String, String> out, String where, String image, String caption, Set<String> known) {
        if (!known.contains(image)) {
            throw new CaptionerException(where + ": the dataset has no image '" + image + "'");
        }
        if (out.put(image, caption) != null) {
            throw new CaptionerException(where + ": a second prediction for '" + image + "'");
        }
    }
}
