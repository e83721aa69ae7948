// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Node ids: random non-zero 64-bit values, written as 16 lower-case hex digits in names and messages.
 */
public final class NodeIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeIds() {
    }

    /**
     * @return a new random node id, never 0 (0 means "no node" in frames).
     */
    public static long next() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }

    /**
     * @param nodeId a node id.
     * @return its 16-digit lower-case hex form.
     */
    public static String format(final long nodeId) {
        final String hex = Long.toHexString(nodeId);
        return "0000000000000000".substring(hex.length()) + hex;
    }

    /**
     * @param text a 16-digit hex node id.
     * @return the id.
     * @throws IllegalArgumentException if {@code text} is not 1 to 16 hex digits.
     */
    public static long parse(final String text) {
        if (text.isEmpty() || text.length() > 16) {
            throw new IllegalArgumentException("bad node id: text=" + text);
        }
        try {
            return Long.parseUnsignedLong(text.toLowerCase(Locale.ROOT), 16);
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("bad node id: text=" + text, ex);
        }
    }
}
