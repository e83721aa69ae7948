// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.internal.TransportLoader;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import io.netty.buffer.Unpooled;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A transport-level writer in a child JVM, driven by {@link ChildJvm}, for tests that need an outlet in another
 * process: {@code OutletChild <scheme> <bus> <options> <node id> <address> <multiplier>}, with {@code options} as
 * {@code key=value,key=value} or {@code -}. It takes the provider of {@code scheme} the way a bus does (so the OS layer
 * follows {@code ipcbus.platform}, which {@link ChildJvm} forwards), opens an outlet to {@code address} and prints
 * {@code READY}. Each line on its standard input is a frame length: it offers a frame of that many bytes, byte
 * {@code i} being {@code (byte) (i * multiplier + length)}, with a 20-second timeout, and prints
 * {@code OFFER <length> <status>} (an {@link Outlet} status code). It closes the outlet and exits when its standard
 * input closes; errors go to its error stream.
 */
public final class OutletChild {
    private OutletChild() {
    }

    /**
     * @param args {@code <scheme> <bus> <options> <node id> <address> <multiplier>}.
     * @throws Exception on any failure (exit code 1).
     */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> options = new HashMap<>();
        if (!"-".equals(args[2])) {
            for (final String pair : args[2].split(",")) {
                final String[] keyValue = pair.split("=", 2);
                options.put(keyValue[0], keyValue[1]);
            }
        }
        final TransportContext context = new TransportContext(args[1], new TransportOptions(options), Path.of("."),
            id -> true, error -> error.printStackTrace());
        final int multiplier = Integer.parseInt(args[5]);
        try (Transport transport = TransportLoader.find(args[0]).create(context);
             Outlet outlet = transport.openOutlet(Long.parseLong(args[3]), args[4])) {
            System.out.println("READY");
            System.out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                final int length = Integer.parseInt(line.trim());
                final int status = outlet.offer(Unpooled.wrappedBuffer(bytes(length, multiplier)),
                    TimeUnit.SECONDS.toNanos(20));
                System.out.println("OFFER " + length + " " + status);
                System.out.flush();
            }
        }
    }

    /**
     * @param length     the frame length.
     * @param multiplier the pattern's multiplier.
     * @return the frame sent for {@code length}: byte {@code i} is {@code (byte) (i * multiplier + length)}.
     */
    public static byte[] bytes(final int length, final int multiplier) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * multiplier + length);
        }
        return bytes;
    }
}
