// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.testkit;

import dev.ipcbus.Bus;
import dev.ipcbus.BusConfig;
import dev.ipcbus.frame.FrameDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.ipcbus.testkit.ContractSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The root of {@link TransportContract}: the hooks a transport overrides and the fixture every case shares. Each case
 * opens its own bus with a unique name, closes every node and child JVM it opened ({@link #keep}), checks that the bus
 * left nothing behind ({@link #assertNothingLeftBehind}) and that no node reported an error to its error handler,
 * except those the case took and asserted itself ({@link #takeBackgroundErrors()}).
 * <p>
 * <b>Thread safety:</b> JUnit runs each case on one thread; the fixture is confined to it, apart from the error list,
 * which the nodes' threads append to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ContractFixture {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Throwable> backgroundErrors = new CopyOnWriteArrayList<>();
    private String busName;

    /**
     * @param busName a bus name unique to the running case.
     * @return the URI of that bus on the transport under test, e.g. {@code "pipe://" + busName}.
     */
    protected abstract String uri(String busName);

    /**
     * @return whether nodes in different processes can talk; the cross-process cases skip when not.
     */
    protected boolean crossProcess() {
        return true;
    }

    /**
     * @return whether the transport is engine-routed (an external engine routes: no inboxes, no registry files, no
     * backpressure); the cases about those skip, each with its reason.
     */
    protected boolean engineRouted() {
        return false;
    }

    /**
     * @param bus   a node.
     * @param topic the topic of a raw publish.
     * @return the largest raw payload {@code bus} can publish on {@code topic} (the kit's buses do not stamp frames);
     * override where a message's overhead is not the frame header and the topic.
     */
    protected int maxRawPayload(final Bus bus, final String topic) {
        return bus.maxFrameLength() - FrameDescriptor.headerLength(FrameDescriptor.TYPE_PUBLISH, 0) - topic.length();
    }

    /**
     * @param busName a bus name unique to the running case.
     * @return the URI the integrity cases run on; override to make a transport wrap its buffers often (a small ring),
     * which is where framing bugs hide.
     */
    protected String integrityUri(final String busName) {
        return uri(busName);
    }

    /**
     * Checks that the bus left nothing behind once all its nodes closed. The default checks the bus directory;
     * override to also check transport resources (shared memory, socket files), calling {@code super}.
     *
     * @param busName the bus.
     * @throws IOException if the directory cannot be read.
     */
    protected void assertNothingLeftBehind(final String busName) throws IOException {
        final Path directory = busDirectory();
        assertEquals(List.of(), BusDirectories.files(directory), "files left in " + directory);
    }

    /**
     * Lists the transport resources of this bus that live outside its bus directory (e.g. shared-memory segments in
     * {@code /dev/shm}); each name must contain the id of the node that owns it. The default lists none.
     *
     * @param busName the bus.
     * @return the names of such resources that exist now.
     * @throws IOException if they cannot be listed.
     */
    protected List<String> resourcesOutsideBusDirectory(final String busName) throws IOException {
        return List.of();
    }

    /**
     * @return this case's bus directory under the runtime directory (it need not exist: a process-local or
     * engine-routed transport creates none).
     */
    protected Path busDirectory() {
        return BusDirectories.of(uri(busName));
    }

    /**
     * @return this case's bus name.
     */
    protected String busName() {
        return busName;
    }

    /**
     * Opens a node on this case's bus, closed after the case; its errors are collected.
     *
     * @return the node.
     */
    protected Bus open() {
        return open(uri(busName));
    }

    /**
     * Opens a node with one more URI option, closed after the case; its errors are collected.
     *
     * @param option e.g. {@code publishTimeout=300ms}.
     * @return the node.
     */
    protected Bus openWith(final String option) {
        final String base = uri(busName);
        return open(base + (base.contains("?") ? "&" : "?") + option);
    }

    /**
     * Opens a node on {@code uri}, closed after the case; its errors are collected.
     *
     * @param uri a URI of this case's bus.
     * @return the node.
     */
    protected Bus open(final String uri) {
        return keep(node(uri));
    }

    private Bus node(final String uri) {
        return Bus.open(BusConfig.builder().uri(uri).errorHandler(backgroundErrors::add).build());
    }

    /**
     * Starts a {@link ChildNode} on this case's bus, stopped after the case.
     *
     * @param args the {@link ChildNode} mode and arguments.
     * @return the child, once it printed {@code READY}.
     */
    protected ChildJvm child(final String... args) {
        final ChildJvm child = keep(ChildJvm.node(uri(busName), args));
        child.awaitLine("READY", WAIT);
        return child;
    }

    /**
     * Closes {@code resource} after the case, in reverse order of registration.
     *
     * @param resource a node, child JVM or other resource.
     * @param <T>      its type.
     * @return {@code resource}.
     */
    protected <T extends AutoCloseable> T keep(final T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Takes the errors the nodes reported to their error handlers so far, for a case that expects some: what it
     * does not take fails the case.
     *
     * @return the errors, in the order reported; the list the fixture checks is empty afterwards.
     */
    protected List<Throwable> takeBackgroundErrors() {
        final List<Throwable> taken = new ArrayList<>(backgroundErrors);
        backgroundErrors.removeAll(taken);
        return taken;
    }

    /**
     * Skips the running case on a transport that cannot cross processes.
     */
    protected void assumeCrossProcess() {
        Assumptions.assumeTrue(crossProcess(), "transport is process-local");
    }

    /**
     * Skips the running case on an engine-routed transport.
     *
     * @param why what the case needs that an engine-routed transport does not have.
     */
    protected void assumeInboxTransport(final String why) {
        Assumptions.assumeFalse(engineRouted(), "engine-routed transport: " + why);
    }

    /**
     * @return the URI of this case's bus.
     */
    protected String busUri() {
        return uri(busName);
    }

    @BeforeEach
    void nameBus(final TestInfo info) {
        final String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
        busName = "ct-" + method.substring(0, Math.min(24, method.length())) + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL);
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            final boolean hadChildren = resources.stream().anyMatch(resource -> resource instanceof ChildJvm);
            closeResources();
            if (hadChildren) {
                // Children killed by a case leave their registry entry and transport resources until some node
                // notices; notice now, as any node of the bus would, so that the leftover check sees the reclaimed
                // state.
                try (Bus sweeper = node(uri(busName))) {
                    sweeper.nodes();
                }
            }
            assertNothingLeftBehind(busName);
            assertEquals(List.of(), backgroundErrors, "errors reported to the nodes' error handlers");
        } finally {
            BusDirectories.remove(busDirectory());
        }
    }

    private void closeResources() throws Exception {
        Collections.reverse(resources);
        Exception failure = null;
        for (final AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (final Exception ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * @param observer the node that looks.
     * @param node     the node whose counter is read.
     * @param name     the counter, e.g. {@code framesSent}.
     * @return the counter's value as {@code observer} sees it in the node listing (published every 100 ms).
     */
    static long counter(final Bus observer, final Bus node, final String name) {
        return observer.nodes().stream().filter(info -> info.id().equals(node.nodeId())).findFirst().orElseThrow()
            .counters().get(name);
    }

    /** A message type for the Jackson path. */
    record Order(String id, int quantity, List<String> items) {
    }
}
