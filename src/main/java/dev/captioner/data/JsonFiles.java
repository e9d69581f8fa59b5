package dev.captioner.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.InputStream;

/** Reads the JSON caption files (Karpathy's, COCO's) into records, with located errors. */
final class JsonFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private JsonFiles() {}

    static <T> T read(DataSource source, String path, Class<T> type) {
        String file = source.describe(path);
        try (InputStream in = source.open(path)) {
            T value = MAPPER.readValue(in, type);
            if (value == null) {
                throw new CaptionerException(file + ": empty JSON document");
            }
            return value;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String at = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
            throw new CaptionerException(file + at + ": invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
