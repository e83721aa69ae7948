// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus;

import java.nio.charset.StandardCharsets;

/**
 * Topic and pattern rules.
 * <p>
 * A topic is 1 to 255 UTF-8 bytes of dot-separated, non-empty tokens, e.g. {@code orders.eu.created}. A token holds
 * no whitespace, no control character and none of {@code . * >}. A pattern is a topic whose tokens may also be
 * {@code *} (exactly one token) or, as the last token, {@code >} (one or more remaining tokens):
 * {@code orders.*.created} matches {@code orders.eu.created}; {@code orders.>} matches {@code orders.eu} and
 * {@code orders.eu.created} but not {@code orders}.
 */
public final class Topics {
    /** Largest topic or pattern, in UTF-8 bytes. */
    public static final int MAX_LENGTH = 255;

    private Topics() {
    }

    /**
     * @param topic a topic to publish or request on.
     * @return the topic's UTF-8 bytes.
     * @throws IllegalArgumentException naming the problem if the topic is invalid or contains a wildcard.
     */
    public static byte[] validateTopic(final String topic) {
        return validate(topic, false);
    }

    /**
     * @param pattern a subscription pattern.
     * @throws IllegalArgumentException naming the problem if the pattern is invalid.
     */
    public static void validatePattern(final String pattern) {
        validate(pattern, true);
    }

    private static byte[] validate(final String text, final boolean pattern) {
        final String what = pattern ? "pattern" : "topic";
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty " + what);
        }
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " too long: length=" + utf8.length + ", max=" + MAX_LENGTH
                + ", " + what + "=" + text.substring(0, 32) + "...");
        }
        final String[] tokens = text.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++) {
            final String token = tokens[i];
            if (token.isEmpty()) {
                throw new IllegalArgumentException("empty token in " + what + ": " + what + "=" + text);
            }
            if (pattern && ("*".equals(token) || (">".equals(token) && i == tokens.length - 1))) {
                continue;
            }
            for (int c = 0; c < token.length(); c++) {
                final char ch = token.charAt(c);
                if (ch == '*' || ch == '>') {
                    throw new IllegalArgumentException((pattern
                        ? "wildcard must be a whole token ('>' only last) in pattern: pattern="
                        : "wildcard not allowed in topic: topic=") + text);
                }
                if (Character.isWhitespace(ch) || Character.isISOControl(ch)) {
                    throw new IllegalArgumentException("whitespace or control character in " + what + ": " + what
                        + "=" + text.replaceAll("\\p{Cntrl}", "?"));
                }
            }
        }
        return utf8;
    }

    /**
     * @param pattern a valid pattern.
     * @param topic   a valid topic.
     * @return whether the pattern matches the topic.
     */
    public static boolean matches(final String pattern, final String topic) {
        int p = 0;
        int t = 0;
        final int pLength = pattern.length();
        final int tLength = topic.length();
        while (p < pLength) {
            if (t > tLength) {
                return false; // the topic has fewer tokens than the pattern
            }
            final int pEnd = tokenEnd(pattern, p);
            final int tEnd = tokenEnd(topic, t);
            final boolean single = pEnd - p == 1;
            if (single && pattern.charAt(p) == '>') {
                return true;
            }
            final boolean star = single && pattern.charAt(p) == '*';
            if (!star && (pEnd - p != tEnd - t || !pattern.regionMatches(p, topic, t, pEnd - p))) {
                return false;
            }
            p = pEnd + 1;
            t = tEnd + 1;
        }
        return t > tLength;
    }

    private static int tokenEnd(final String text, final int from) {
        final int dot = text.indexOf('.', from);
        return dot < 0 ? text.length() : dot;
    }

    /**
     * @param pattern a pattern.
     * @return whether it contains a wildcard token.
     */
    public static boolean isWildcard(final String pattern) {
        return pattern.equals("*") || pattern.equals(">") || pattern.startsWith("*.") || pattern.endsWith(".*")
            || pattern.endsWith(".>") || pattern.contains(".*.");
    }
}
