// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.posix;

import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.ErrorHandler;
import dev.ipcbus.NativeCallException;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.OperatingSystem;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.mailslot.core.DatagramReceiver;
import dev.ipcbus.transport.mailslot.core.DatagramSender;
import dev.ipcbus.transport.mailslot.core.MailslotPlatform;
import dev.ipcbus.transport.mailslot.core.MailslotSizing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static dev.ipcbus.transport.mailslot.posix.LinuxSocketConstants.*;

/**
 * The POSIX layer: each node's slot is an {@code AF_UNIX} {@code SOCK_DGRAM} socket bound at
 * {@code <runtime directory>/<node hex>.sock}.
 * <p>
 * <b>Permissions:</b> the runtime directory is 0700, so no other user can reach the socket at all; the socket file is
 * then set to 0600 by path right after {@code bind}. ({@code fchmod} on a socket descriptor does not change the bound
 * file on Linux, and changing the process-wide {@code umask} around {@code bind} would race with other threads of the
 * JVM creating files.)
 * <p>
 * <b>Sizes:</b> the largest frame is the {@code maxFrame} option (default
 * {@value MailslotSizing#DEFAULT_MAX_FRAME_LENGTH} bytes), checked against the send buffer the kernel grants (see
 * {@link PosixSocketSizing}); a default that does not fit is lowered to what fits, an explicit value that does not fit
 * is refused naming {@code net.core.wmem_max}.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class PosixMailslotPlatform implements MailslotPlatform {
    /**
     * Whether this layer can run here: the OS must be Linux (the constant values are Linux's) on a 64-bit JVM
     * (buffers are passed as 64-bit addresses), JNA must load the C library, and an {@code AF_UNIX} datagram socket
     * must open. Not cached: {@link dev.ipcbus.spi.TransportProbe} caches it.
     *
     * @return why the layer cannot run here, or {@code null} if it can.
     */
    public static Throwable unavailabilityCause() {
        if (OperatingSystem.host() != OperatingSystem.LINUX) {
            return new UnsupportedOperationException("not Linux (the POSIX layer ships Linux constant values and is "
                + "untested elsewhere): os.name=" + System.getProperty("os.name"));
        }
        if (!"64".equals(System.getProperty("sun.arch.data.model", "64"))) {
            return new UnsupportedOperationException("not a 64-bit JVM: sun.arch.data.model="
                + System.getProperty("sun.arch.data.model"));
        }
        try {
            LibCSocketCalls.close(LibCSocketCalls.socket());
            return null;
        } catch (final RuntimeException | LinkageError ex) {
            return ex;
        }
    }

    /** Suffix of socket file names: {@code <16 hex digits of the node id>.sock}. */
    public static final String SOCKET_SUFFIX = ".sock";

    private static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path directory;
    private final int maxFrameLength;
    private final int bufferRequest;
    private final int grantedSendBuffer;
    private final ErrorHandler errorHandler;

    private PosixMailslotPlatform(
        final Path directory,
        final int maxFrameLength,
        final int bufferRequest,
        final int grantedSendBuffer,
        final ErrorHandler errorHandler) {
        this.directory = directory;
        this.maxFrameLength = maxFrameLength;
        this.bufferRequest = bufferRequest;
        this.grantedSendBuffer = grantedSendBuffer;
        this.errorHandler = errorHandler;
    }

    /**
     * Creates the layer for one bus: probes the socket buffer sizes the kernel grants and settles the largest frame.
     *
     * @param directory      the bus's runtime directory (0700, existing); socket files go here.
     * @param maxFrameOption the {@code maxFrame} option in bytes, or a negative value if it was not given.
     * @param errorHandler   receives failures that have no caller (reclaiming a foreign path).
     * @return the layer.
     * @throws ConfigurationException                   if an explicit {@code maxFrame} is out of bounds or larger
     *                                                  than the kernel lets a datagram be.
     */
    public static PosixMailslotPlatform create(
        final Path directory,
        final long maxFrameOption,
        final ErrorHandler errorHandler) {
        final boolean explicit = maxFrameOption >= 0;
        final int wanted = explicit
            ? MailslotSizing.checkMaxFrameLength(maxFrameOption, PosixSocketSizing.MAX_FRAME_LENGTH, "maxFrame")
            : MailslotSizing.DEFAULT_MAX_FRAME_LENGTH;
        final int fd = LibCSocketCalls.socket();
        final int request;
        final int granted;
        try {
            final int defaultBuffer = LibCSocketCalls.getIntOption(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
            request = PosixSocketSizing.bufferRequest(wanted, defaultBuffer);
            LibCSocketCalls.setIntOption(fd, SOL_SOCKET, SO_SNDBUF, request, "SO_SNDBUF");
            granted = LibCSocketCalls.getIntOption(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
        } finally {
            LibCSocketCalls.close(fd);
        }
        final int largest = PosixSocketSizing.largestDatagram(granted);
        final int maxFrameLength;
        if (wanted <= largest) {
            maxFrameLength = wanted;
        } else if (!explicit && largest >= MailslotSizing.MIN_MAX_FRAME_LENGTH) {
            maxFrameLength = largest;
        } else {
            throw new ConfigurationException("mailslot frame size larger than the kernel lets a datagram be: "
                + "option=maxFrame, value=" + wanted + ", largestDatagram=" + largest + ", SO_SNDBUF=" + granted
                + " (raise net.core.wmem_max to at least " + ((long)wanted + SNDBUF_RESERVE) / 2 + ")");
        }
        return new PosixMailslotPlatform(directory, maxFrameLength, request, granted, errorHandler);
    }

    @Override
    public String name() {
        return "posix";
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * @return the {@code SO_SNDBUF} the kernel granted to the probe socket (already doubled by Linux).
     */
    public int sendBufferSize() {
        return grantedSendBuffer;
    }

    /**
     * @return the bus's runtime directory, where socket files are.
     */
    public Path directory() {
        return directory;
    }

    @Override
    public String inboxAddress(final long nodeId) {
        return directory.resolve(NodeIds.format(nodeId) + SOCKET_SUFFIX).toString();
    }

    /**
     * Binds the node's socket, 0600, with {@code SO_RCVBUF} sized like the send buffers and a receive timeout as a
     * safety net for closing.
     *
     * @throws BusException if the socket file exists already ({@code EADDRINUSE}) or cannot be created.
     */
    @Override
    public DatagramReceiver openReceiver(final long nodeId, final String address) {
        final Path path = Paths.get(address);
        final int fd = LibCSocketCalls.socket();
        boolean bound = false;
        try {
            LibCSocketCalls.setIntOption(fd, SOL_SOCKET, SO_RCVBUF, bufferRequest, "SO_RCVBUF");
            LibCSocketCalls.setReceiveTimeout(fd, PosixDatagramReceiver.RECEIVE_TIMEOUT_MILLIS);
            try {
                LibCSocketCalls.bind(fd, path);
            } catch (final NativeCallException ex) {
                if (ex.code() == EADDRINUSE) {
                    throw new BusException("mailslot socket file already exists (another inbox, or one left by a "
                        + "dead node with this id): node=" + NodeIds.format(nodeId) + ", path=" + path, ex);
                }
                throw ex;
            }
            bound = true;
            Files.setPosixFilePermissions(path, SOCKET_MODE);
            return new PosixDatagramReceiver(fd, path, MailslotSizing.receiveBufferLength(maxFrameLength));
        } catch (final IOException | RuntimeException ex) {
            try {
                LibCSocketCalls.close(fd);
                if (bound) {
                    Files.deleteIfExists(path);
                }
            } catch (final IOException | RuntimeException suppressed) {
                ex.addSuppressed(suppressed);
            }
            if (ex instanceof IOException) {
                throw new BusException("cannot set mailslot socket file mode: path=" + path, ex);
            }
            throw (RuntimeException)ex;
        }
    }

    /**
     * Opens a socket connected to the node's socket file.
     *
     * @throws InboxUnavailableException if there is no socket file ({@code ENOENT}) or nobody reads it
     *                                   ({@code ECONNREFUSED}: a file left by a dead or closing node).
     * @throws NativeCallException       if {@code connect} fails otherwise.
     */
    @Override
    public DatagramSender openSender(final long nodeId, final String address) {
        final Path path = Paths.get(address);
        final int fd = LibCSocketCalls.socket();
        try {
            LibCSocketCalls.setIntOption(fd, SOL_SOCKET, SO_SNDBUF, bufferRequest, "SO_SNDBUF");
            final int result = LibCSocketCalls.connect(fd, path);
            if (result != 0) {
                final NativeCallException failure = LibCSocketCalls.failure("connect", -result, "node="
                    + NodeIds.format(nodeId) + ", path=" + path);
                if (-result == ENOENT || -result == ECONNREFUSED) {
                    throw new InboxUnavailableException("mailslot inbox is gone: node=" + NodeIds.format(nodeId)
                        + ", path=" + path, failure);
                }
                throw failure;
            }
            return new PosixDatagramSender(fd, path);
        } catch (final RuntimeException ex) {
            try {
                LibCSocketCalls.close(fd);
            } catch (final RuntimeException suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    /**
     * Removes a dead node's socket file, {@code <node hex>.sock} in this bus's directory (derived from the node id when
     * {@code address} is {@code null}: a node that died before it was listed). Only that socket is removed; any other
     * address is reported to the error handler and left alone. Idempotent.
     */
    @Override
    public void reclaim(final long nodeId, final String address) {
        final Path expected = Paths.get(inboxAddress(nodeId)).toAbsolutePath().normalize();
        final Path path = address == null ? expected : Paths.get(address).toAbsolutePath().normalize();
        if (!path.equals(expected)) {
            errorHandler.onError(new BusException("mailslot reclaim refused a path outside this bus's directory: "
                + "node=" + NodeIds.format(nodeId) + ", address=" + address + ", expected=" + expected));
            return;
        }
        try {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isOther()) {
                errorHandler.onError(new BusException("mailslot reclaim refused a file that is not a socket: "
                    + "node=" + NodeIds.format(nodeId) + ", path=" + path));
                return;
            }
            Files.deleteIfExists(path);
        } catch (final NoSuchFileException ex) {
            // Already gone: reclaim is idempotent.
        } catch (final IOException ex) {
            throw new BusException("cannot remove a dead node's socket file: node=" + NodeIds.format(nodeId)
                + ", path=" + path, ex);
        }
    }
}
