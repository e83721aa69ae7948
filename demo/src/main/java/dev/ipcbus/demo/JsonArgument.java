// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * Parses JSON given on the command line or standard input, with a one-line error naming the problem. The text must be
 * exactly one JSON value: empty or blank text, and anything after the value ({@code {}garbage},
 * {@code {"a":1} {"b":2}}), are refused. The literal {@code null} is a value like any other.
 */
final class JsonArgument {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonArgument() {
    }

    /**
     * @param text the JSON text.
     * @return the value.
     * @throws IllegalArgumentException if the text is empty or blank, not JSON, or more than one value.
     */
    static JsonNode parse(final String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("not valid JSON: no value given (write null for a null message)");
        }
        final JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (final JsonProcessingException ex) {
            final String problem = ex.getOriginalMessage().startsWith("Trailing token")
                ? "more after the first value (one JSON value per message)"
                : ex.getOriginalMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("not valid JSON: " + problem + " in: " + excerpt(text));
        }
        if (value == null || value.isMissingNode()) {
            throw new IllegalArgumentException("not valid JSON: no value given in: " + excerpt(text));
        }
        return value;
    }

    /** @return the text on one line, cut to 80 characters, for an error message. */
    private static String excerpt(final String text) {
        final String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    static String print(final Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (final JsonProcessingException ex) {
            return String.valueOf(value);
        }
    }
}
