// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.posix;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The quick measurement behind the POSIX layer's choice of socket kind (see docs/PIPE.md): a cross-process ping-pong
 * of 32 B and 1 KiB messages over (a) JDK stream Unix-domain sockets with a 4-byte length prefix, as the POSIX layer
 * does, and (b) {@code SOCK_SEQPACKET} through JNA direct-mapped {@code send}/{@code recv}. Not a unit test.
 * <p>
 * Run: {@code java -cp <test-classes>:<jna.jar> dev.ipcbus.transport.pipe.posix.SocketKindMeasurement [rounds]}.
 * The child JVM (echo side) is started with the same class path and killed at the end.
 */
public final class SocketKindMeasurement {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;

    private SocketKindMeasurement() {
    }

    /** Direct-mapped libc: the fastest JNA call path, so the comparison favours JNA. */
    static final class LibC {
        static {
            Native.register("c");
        }

        static native int socket(int domain, int type, int protocol);

        static native int bind(int fd, Pointer addr, int len);

        static native int listen(int fd, int backlog);

        static native int accept(int fd, Pointer addr, Pointer len);

        static native int connect(int fd, Pointer addr, int len);

        static native long send(int fd, Pointer buf, long len, int flags);

        static native long recv(int fd, Pointer buf, long len, int flags);

        static native int close(int fd);

        private LibC() {
        }
    }

    /**
     * @param args {@code [rounds]} or, for the child, {@code echo-stream|echo-seq path size}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("echo")) {
            echo(args[0], Path.of(args[1]), Integer.parseInt(args[2]));
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        for (final int size : new int[] {32, 1024}) {
            for (final String kind : new String[] {"stream", "seq"}) {
                run(kind, size, rounds);
            }
        }
    }

    private static void run(final String kind, final int size, final int rounds) throws Exception {
        final Path dir = Files.createTempDirectory("ipcbus-measure");
        final Path path = dir.resolve("s");
        final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), SocketKindMeasurement.class.getName(),
            "echo-" + kind, path.toString(), Integer.toString(size)).inheritIO().start();
        try {
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(path)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("child did not bind");
                }
                Thread.sleep(10);
            }
            Thread.sleep(100);
            final long[] rtt = "stream".equals(kind) ? pingStream(path, size, rounds) : pingSeq(path, size, rounds);
            Arrays.sort(rtt);
            long total = 0;
            for (final long t : rtt) {
                total += t;
            }
            System.out.printf("%-6s size=%5d rounds=%d p50=%.1fus p99=%.1fus mean=%.1fus%n", kind, size, rounds,
                rtt[rtt.length / 2] / 1e3, rtt[(int) (rtt.length * 0.99)] / 1e3, total / 1e3 / rtt.length);
        } finally {
            child.destroyForcibly().waitFor();
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    private static long[] pingStream(final Path path, final int size, final int rounds) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            final ByteBuffer out = ByteBuffer.allocateDirect(4 + size).order(ByteOrder.LITTLE_ENDIAN);
            final ByteBuffer in = ByteBuffer.allocateDirect(4 + size).order(ByteOrder.LITTLE_ENDIAN);
            final long[] rtt = new long[rounds];
            for (int i = -rounds / 5; i < rounds; i++) {
                final long start = System.nanoTime();
                out.clear();
                out.putInt(0, size);
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                in.clear();
                readFramed(ch, in);
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
            }
            return rtt;
        }
    }

    private static void readFramed(final SocketChannel ch, final ByteBuffer in) throws IOException {
        in.limit(4);
        while (in.hasRemaining()) {
            if (ch.read(in) < 0) {
                throw new IOException("eof");
            }
        }
        in.limit(4 + in.getInt(0));
        while (in.hasRemaining()) {
            if (ch.read(in) < 0) {
                throw new IOException("eof");
            }
        }
    }

    private static Memory address(final Path path) {
        final Memory addr = new Memory(110);
        addr.clear();
        addr.setShort(0, (short) AF_UNIX);
        final byte[] bytes = path.toString().getBytes();
        addr.write(2, bytes, 0, bytes.length);
        return addr;
    }

    private static long[] pingSeq(final Path path, final int size, final int rounds) {
        final int fd = LibC.socket(AF_UNIX, SOCK_SEQPACKET, 0);
        if (LibC.connect(fd, address(path), 110) != 0) {
            throw new IllegalStateException("connect errno=" + Native.getLastError());
        }
        try {
            final Memory out = new Memory(size);
            final Memory in = new Memory(size);
            final long[] rtt = new long[rounds];
            for (int i = -rounds / 5; i < rounds; i++) {
                final long start = System.nanoTime();
                LibC.send(fd, out, size, 0);
                if (LibC.recv(fd, in, size, 0) != size) {
                    throw new IllegalStateException("short recv");
                }
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - start;
                }
            }
            return rtt;
        } finally {
            LibC.close(fd);
        }
    }

    private static void echo(final String kind, final Path path, final int size) throws IOException {
        if ("echo-stream".equals(kind)) {
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                try (SocketChannel ch = server.accept()) {
                    final ByteBuffer in = ByteBuffer.allocateDirect(4 + size).order(ByteOrder.LITTLE_ENDIAN);
                    while (true) {
                        in.clear();
                        try {
                            readFramed(ch, in);
                        } catch (final IOException ex) {
                            return; // the parent closed the connection or was killed
                        }
                        in.flip();
                        while (in.hasRemaining()) {
                            ch.write(in);
                        }
                    }
                }
            }
        }
        final int fd = LibC.socket(AF_UNIX, SOCK_SEQPACKET, 0);
        if (LibC.bind(fd, address(path), 110) != 0 || LibC.listen(fd, 8) != 0) {
            throw new IllegalStateException("bind errno=" + Native.getLastError());
        }
        final int conn = LibC.accept(fd, null, null);
        final Memory buf = new Memory(size);
        while (true) {
            final long n = LibC.recv(conn, buf, size, 0);
            if (n <= 0) {
                return;
            }
            LibC.send(conn, buf, n, 0);
        }
    }
}
