package dev.ipcbus.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses JSON given on the command line or standard input, with a one-line error naming the problem.
 */
final class JsonArgument {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonArgument() {
    }

    static JsonNode parse(final String text) {
        try {
            return MAPPER.readTree(text);
        } catch (final JsonProcessingException ex) {
            throw new IllegalArgumentException("not valid JSON: " + ex.getOriginalMessage() + " in: " + text);
        }
    }

    static String print(final Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (final JsonProcessingException ex) {
            return String.valueOf(value);
        }
    }
}
