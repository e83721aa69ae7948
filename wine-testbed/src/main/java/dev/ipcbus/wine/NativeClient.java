// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.wine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ipcbus-client.exe}: a native Windows program written in the style of the classic Win32 samples (source:
 * {@code src/main/c/ipcbus-client.c}), built with mingw at test time and run under Wine, that publishes one JSON
 * message into a bus node's pipe or mailslot inbox, building the frame (and the pipe hello) from the documented
 * protocol. It shows that a program in another language can write to a bus node, and that the Java Windows layers
 * accept what a native writer sends.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class NativeClient {
    /** The fixed sender node id the client writes into its frames. */
    public static final long SENDER_NODE_ID = 0x0000c0ffee000001L;

    private static final String SOURCE = "ipcbus-client.c";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final WineSession session;
    private final Path executable;

    private NativeClient(final WineSession session, final Path executable) {
        this.session = session;
        this.executable = executable;
    }

    /**
     * Builds the client (once per source content) for a session.
     *
     * @param session the Wine session.
     * @return the client.
     */
    public static NativeClient build(final WineSession session) {
        return new NativeClient(session, session.compile(WineSession.resourcePath(SOURCE),
            NativeClient.class.getClassLoader()));
    }

    /**
     * Publishes through a node's pipe inbox: connect (waiting if every instance is busy), message-read mode, the
     * hello, then the frame as one message.
     *
     * @param pipeName the inbox pipe name ({@code \\.\pipe\...}).
     * @param nodeId   the node the pipe belongs to (named in the hello).
     * @param topic    the topic.
     * @param json     the payload, one JSON value.
     * @return the program's result (exit code 0 when written).
     */
    public WineSession.ProgramResult publishToPipe(final String pipeName, final long nodeId, final String topic,
        final String json) {
        return session.run(executable, List.of("pipe", pipeName, String.format("%016x", nodeId), topic, json),
            TIMEOUT);
    }

    /**
     * Publishes through a node's mailslot inbox: one {@code WriteFile} of the frame.
     *
     * @param mailslotName the inbox mailslot name ({@code \\.\mailslot\...}).
     * @param topic        the topic.
     * @param json         the payload, one JSON value.
     * @return the program's result (exit code 0 when written).
     */
    public WineSession.ProgramResult publishToMailslot(final String mailslotName, final String topic,
        final String json) {
        return session.run(executable, List.of("mailslot", mailslotName, topic, json), TIMEOUT);
    }
}
