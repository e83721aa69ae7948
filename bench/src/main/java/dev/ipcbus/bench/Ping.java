// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

/**
 * The small Jackson object of the Jackson-path benchmark (about 80 bytes of JSON).
 *
 * @param sentNanos {@link System#nanoTime()} when the ping was sent.
 * @param seq       sequence number.
 * @param symbol    a short string.
 * @param price     a double.
 */
public record Ping(long sentNanos, long seq, String symbol, double price) {
}
