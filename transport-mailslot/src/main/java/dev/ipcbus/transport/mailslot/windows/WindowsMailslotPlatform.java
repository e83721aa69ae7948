// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.BusException;
import dev.ipcbus.platform.windows.CurrentUserSecurity;
import dev.ipcbus.platform.windows.Win32;
import dev.ipcbus.platform.windows.Win32Exception;
import dev.ipcbus.spi.InboxUnavailableException;
import dev.ipcbus.spi.NodeIds;
import dev.ipcbus.transport.mailslot.core.DatagramReceiver;
import dev.ipcbus.transport.mailslot.core.DatagramSender;
import dev.ipcbus.transport.mailslot.core.MailslotPlatform;
import dev.ipcbus.transport.mailslot.core.MailslotSizing;

import static dev.ipcbus.platform.windows.Win32Constants.*;
import static dev.ipcbus.platform.windows.WinError.ERROR_ALREADY_EXISTS;
import static dev.ipcbus.platform.windows.WinError.ERROR_FILE_NOT_FOUND;

/**
 * The Windows layer: each node's slot is the mailslot {@code \\.\mailslot\ipcbus\<bus>\<node hex>}
 * ({@link WindowsMailslotName}), created with {@code nMaxMessageSize} = the largest frame, a read timeout of
 * {@value WindowsDatagramReceiver#READ_TIMEOUT_MILLIS} ms and a descriptor that admits the current user only
 * ({@link CurrentUserSecurity}, built before each {@code CreateMailslotW}).
 * <p>
 * Only one process per machine can own a mailslot name: a name already taken fails {@link #openReceiver} with a
 * {@link BusException} saying so. A mailslot disappears when its owner's handle closes, also when the process dies,
 * so {@link #reclaim} has nothing to remove.
 * <p>
 * The largest frame is limited to {@link #MAX_FRAME_LENGTH} until larger local messages are checked on Windows.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WindowsMailslotPlatform implements MailslotPlatform {
    /** Largest frame accepted: 64 KiB, the largest local mailslot message checked so far (under Wine). */
    public static final int MAX_FRAME_LENGTH = 64 * 1024;

    private final Win32 win32;
    private final String busName;
    private final int maxFrameLength;

    /**
     * @param win32          the Win32 binding.
     * @param busName        the bus name.
     * @param maxFrameOption the {@code maxFrame} option in bytes, or a negative value if it was not given.
     * @throws dev.ipcbus.ConfigurationException if {@code maxFrame} is out of bounds.
     */
    public WindowsMailslotPlatform(final Win32 win32, final String busName, final long maxFrameOption) {
        this.win32 = win32;
        this.busName = busName;
        this.maxFrameLength = maxFrameOption < 0 ? MailslotSizing.DEFAULT_MAX_FRAME_LENGTH
            : MailslotSizing.checkMaxFrameLength(maxFrameOption, MAX_FRAME_LENGTH, "maxFrame");
        WindowsMailslotName.of(busName, 1);
    }

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public String inboxAddress(final long nodeId) {
        return WindowsMailslotName.of(busName, nodeId);
    }

    /**
     * Creates the node's mailslot for the current user only.
     *
     * @throws BusException if the name is taken ({@code ERROR_ALREADY_EXISTS}) or the slot cannot be created.
     */
    @Override
    public DatagramReceiver openReceiver(final long nodeId, final String address) {
        final long handle;
        try (CurrentUserSecurity security = CurrentUserSecurity.create(win32)) {
            handle = win32.CreateMailslotW(address, maxFrameLength, WindowsDatagramReceiver.READ_TIMEOUT_MILLIS,
                security.attributes());
            if (handle == INVALID_HANDLE_VALUE) {
                // read before the descriptor is freed: LocalFree would overwrite the last error
                final Win32Exception failure = Win32Exception.lastError(win32, "CreateMailslotW", "name=" + address);
                if (failure.code() == ERROR_ALREADY_EXISTS) {
                    throw new BusException("mailslot name already taken (one reader per name per machine; another "
                        + "process owns it): node=" + NodeIds.format(nodeId) + ", name=" + address, failure);
                }
                throw failure;
            }
        }
        return new WindowsDatagramReceiver(win32, handle, address,
            MailslotSizing.receiveBufferLength(maxFrameLength));
    }

    /**
     * Opens a writer: {@code CreateFile(GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING)}.
     *
     * @throws InboxUnavailableException if the slot does not exist ({@code ERROR_FILE_NOT_FOUND}).
     * @throws Win32Exception            if it cannot be opened otherwise.
     */
    @Override
    public DatagramSender openSender(final long nodeId, final String address) {
        final long handle = win32.CreateFileW(address, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, null,
            OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL);
        if (handle == INVALID_HANDLE_VALUE) {
            final Win32Exception failure = Win32Exception.lastError(win32, "CreateFileW", "name=" + address);
            if (failure.code() == ERROR_FILE_NOT_FOUND) {
                throw new InboxUnavailableException("mailslot inbox is gone: node=" + NodeIds.format(nodeId)
                    + ", name=" + address, failure);
            }
            throw failure;
        }
        return new WindowsDatagramSender(win32, handle, address);
    }

    /**
     * Nothing to do: Windows deletes a mailslot when its owner's handle closes, also when the owner dies.
     */
    @Override
    public void reclaim(final long nodeId, final String address) {
        // No file system object to remove.
    }
}
