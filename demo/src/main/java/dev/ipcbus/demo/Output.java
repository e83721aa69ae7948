// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

/**
 * Standard output for commands whose output is read by a script: every line is flushed, and a closed reader
 * ({@code ipcbus-demo subscribe 'x.>' | head -1} once {@code head} exits) is noticed, so the command can end instead of
 * writing into a broken pipe forever ({@link java.io.PrintStream} swallows the {@code EPIPE} and only sets its error
 * flag).
 * <p>
 * <b>Thread safety:</b> lines from several threads (handlers and the main thread) are written whole.
 */
final class Output {
    private Output() {
    }

    /**
     * @param line a line, without its end.
     * @return {@code false} if standard output is closed (the reader went away); the line is lost then.
     */
    static boolean line(final String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
            return !System.out.checkError();
        }
    }

    /**
     * @param text text to print as is (e.g. a screen-clearing escape sequence before a table).
     * @return {@code false} if standard output is closed.
     */
    static boolean text(final String text) {
        synchronized (System.out) {
            System.out.print(text);
            System.out.flush();
            return !System.out.checkError();
        }
    }

    /**
     * Prints {@code READY <ids>} for a parent process waiting for this one (the tour, tests), only when the command
     * was given {@code --ready}.
     *
     * @param ready whether {@code --ready} was given.
     * @param ids   the node ids to announce.
     */
    static void ready(final boolean ready, final String... ids) {
        if (ready) {
            line("READY " + String.join(" ", ids));
        }
    }
}
