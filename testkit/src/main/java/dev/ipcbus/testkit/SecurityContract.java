// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusUri;
import dev.ipcbus.FrameFormatException;
import dev.ipcbus.NodeInfo;
import dev.ipcbus.frame.FrameDescriptor;
import dev.ipcbus.frame.FrameEncoder;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.spi.Outlet;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportOptions;
import dev.ipcbus.spi.TransportProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ipcbus.testkit.ContractSupport.awaitUntil;
import static dev.ipcbus.testkit.ContractSupport.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security: garbage written to an inbox by a foreign writer never reaches a handler and never stops the node; another
 * user reaches nothing of the bus.
 */
abstract class SecurityContract extends NodesContract {
    @Test
    void shouldSurviveGarbageFromAForeignWriter() throws Exception {
        assumeInboxTransport("no inbox a foreign writer can reach; the transport tests the engine's own "
            + "foreign clients");
        final Bus publisher = open();
        final Bus victim = open();
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final List<String> topicsSeen = new CopyOnWriteArrayList<>();
        victim.subscribeRaw(">", (payload, context) -> topicsSeen.add(context.topic())); // runs first: subscribed first
        victim.subscribeRaw("after.garbage", (payload, context) -> inbox.add(payload.toString(
            StandardCharsets.UTF_8)));
        final NodeInfo target = victim.nodes().stream().filter(n -> n.id().equals(victim.nodeId())).findFirst()
            .orElseThrow();
        final BusUri parsed = BusUri.parse(busUri());
        final TransportProvider provider = ServiceLoader.load(TransportProvider.class).stream()
            .map(ServiceLoader.Provider::get).filter(p -> p.scheme().equals(parsed.scheme())).findFirst().orElseThrow();
        final List<byte[]> garbage = garbageFrames();
        final List<Throwable> writerErrors = new CopyOnWriteArrayList<>();
        try (Transport foreign = provider.create(new TransportContext(busName(),
            new TransportOptions(parsed.options()), busDirectory(), id -> true, writerErrors::add));
             Outlet outlet = foreign.openOutlet(NodeIds.parse(target.id()), target.address())) {
            for (final byte[] frame : garbage) {
                final ByteBuf buffer = Unpooled.wrappedBuffer(frame);
                assertEquals(Outlet.SENT, outlet.offer(buffer, TimeUnit.SECONDS.toNanos(5)));
            }
        }
        publisher.publishRaw("after.garbage", "still alive".getBytes(StandardCharsets.UTF_8));
        assertEquals("still alive", poll(inbox));
        // The garbage came over another connection than the good message (transports may read connections on
        // different threads): wait for the count rather than read it once.
        awaitUntil(() -> counter(publisher, victim, "malformedFrames") >= garbage.size() - 1,
            "at least " + (garbage.size() - 1) + " malformed frames counted");
        assertEquals(List.of("after.garbage"), topicsSeen, "frames with topics that break the rules never delivered");
        assertEquals(List.of(), writerErrors, "the foreign writer's transport");
        final List<Throwable> errors = takeBackgroundErrors();
        assertFalse(errors.isEmpty(), "garbage reported");
        for (final Throwable error : errors) {
            assertInstanceOf(FrameFormatException.class, error, "only malformed frames reported");
        }
    }

    private static List<byte[]> garbageFrames() {
        final Random random = new Random(7);
        final List<byte[]> frames = new ArrayList<>();
        for (final int size : new int[] {1, 3, 13, 14, 15, 55, 56, 57, 200}) {
            final byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            frames.add(bytes);
        }
        final ByteBuf valid = Unpooled.buffer();
        try {
            FrameEncoder.begin(valid, FrameDescriptor.TYPE_PUBLISH, 0, FrameDescriptor.CONTENT_TYPE_RAW, 1, 0, 0, 0,
                "after.garbage".getBytes(StandardCharsets.UTF_8), Map.of());
            valid.writeBytes(new byte[] {1, 2, 3});
            final byte[] good = new byte[valid.readableBytes()];
            valid.getBytes(0, good);
            frames.add(Arrays.copyOf(good, good.length - 5)); // truncated inside the topic (the payload is 3 bytes)
            final byte[] topicPastTheEnd = good.clone();
            topicPastTheEnd[FrameDescriptor.TOPIC_LENGTH_OFFSET] = (byte)255;
            frames.add(topicPastTheEnd);
            final byte[] headersPastTheEnd = good.clone(); // H set: the topic's first two bytes read as 26,209
            headersPastTheEnd[FrameDescriptor.FLAGS_OFFSET] |= FrameDescriptor.FLAG_HEADERS;
            frames.add(headersPastTheEnd);
            final byte[] protocolOne = good.clone();
            ByteBuffer.wrap(protocolOne).order(ByteOrder.LITTLE_ENDIAN).putInt(0, FrameDescriptor.V1_MAGIC);
            frames.add(protocolOne);
            final byte[] garbledVersion = good.clone();
            garbledVersion[0] ^= 0x5A;
            frames.add(garbledVersion);
            final byte[] newerMajor = good.clone();
            newerMajor[FrameDescriptor.MAJOR_VERSION_OFFSET] = 9;
            frames.add(newerMajor);
            // Well-formed frames whose topic (same length as "after.garbage") breaks the topic rules.
            for (final byte[] topic : List.of("after.>.x.y.z".getBytes(StandardCharsets.UTF_8),
                "after..garbag".getBytes(StandardCharsets.UTF_8),
                "after garbage".getBytes(StandardCharsets.UTF_8),
                new byte[] {'a', 'f', 't', 'e', 'r', '.', (byte)0xC3, 0x28, 'r', 'b', 'a', 'g', 'e'})) {
                final byte[] badTopic = good.clone();
                System.arraycopy(topic, 0, badTopic, FrameDescriptor.FIXED_LENGTH, topic.length);
                frames.add(badTopic);
            }
        } finally {
            valid.release();
        }
        return frames;
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldKeepOtherUsersOut() throws Exception {
        assumeInboxTransport("no files: who may connect is the engine's authentication (user and "
            + "password, token, credentials, TLS)");
        assumeCrossProcess();
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "needs root to run a probe as user nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser"))
            && Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/sbin/runuser and /usr/bin/python3");
        final Bus bus = open();
        bus.subscribe("secret", String.class, (m, c) -> { });
        final List<String> paths = new ArrayList<>();
        final Path directory = busDirectory();
        paths.add(directory.toString());
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> paths.add(file.toString()));
        }
        for (final NodeInfo node : bus.nodes()) {
            if (node.address().startsWith("/") && Files.exists(Path.of(node.address()))) {
                paths.add(node.address());
                final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(Path.of(node.address()));
                assertTrue(mode.stream().noneMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")),
                    "inbox " + node.address() + " is private: " + mode);
            }
        }
        final String probe = String.join("\n",
            "import os, socket, sys",
            "for path in sys.argv[1:]:",
            "    for flags in (os.O_RDONLY, os.O_WRONLY):",
            "        try:",
            "            os.close(os.open(path, flags)); print('REACHED open', path)",
            "        except OSError: pass",
            "    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET):",
            "        s = socket.socket(socket.AF_UNIX, kind)",
            "        try:",
            "            s.connect(path); print('REACHED connect', path)",
            "        except OSError: pass",
            "        finally: s.close()",
            "    try:",
            "        os.listdir(path); print('REACHED list', path)",
            "    except OSError: pass",
            "print('DONE')");
        final List<String> command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--",
            "/usr/bin/python3", "-c", probe));
        command.addAll(paths);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.contains("DONE"), "probe ran as nobody: " + output);
        assertFalse(output.contains("REACHED"), "another user reached the bus: " + output);
    }
}
