// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipcbus.codec.JsonCodec;

import java.util.Locale;

/**
 * What Jackson alone costs on this machine, no bus and no transport: the bench's {@link Ping} serialized and
 * deserialized with the bus's default mapper, in one thread, in passes of 20,000. A baseline for reading the
 * {@code rtt ipcbus jackson} rows of {@link IpcBench}, whose round trip does this twice.
 * <p>
 * Run: {@code java -cp bench/target/ipcbus-bench.jar dev.ipcbus.bench.JacksonAlone [passes]} (default 10 passes).
 */
public final class JacksonAlone {
    private static final int PER_PASS = 20_000;

    private JacksonAlone() {
    }

    /**
     * @param args optional number of passes.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        final int passes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final ObjectMapper mapper = JsonCodec.defaultMapper();
        final JavaType type = mapper.getTypeFactory().constructType(Ping.class);
        final byte[] bytes = mapper.writeValueAsBytes(new Ping(1, 2, "EURUSD", 1.0842));
        long sink = 0;
        for (int pass = 1; pass <= passes; pass++) {
            final long start = System.nanoTime();
            for (int i = 0; i < PER_PASS; i++) {
                final Ping ping = mapper.readValue(bytes, 0, bytes.length, type);
                sink += mapper.writeValueAsBytes(ping).length;
            }
            System.out.printf(Locale.ROOT, "pass %d: %.2f us per writeValueAsBytes + readValue%n", pass,
                (System.nanoTime() - start) / (double) PER_PASS / 1000.0);
        }
        System.out.println(sink == 0 ? "" : "done");
    }
}
