// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.pipe.windows;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.spi.NodeIds;

import java.util.regex.Pattern;

/**
 * Names of inbox pipes: {@code \\.\pipe\ipcbus-<bus>-<nodehex>}. The bus name is already restricted to
 * {@code [A-Za-z0-9_.-]} (1 to 64 characters) by the core; the whole name stays far below the 256-character limit
 * of pipe names.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class WindowsPipeNames {
    /** The local pipe namespace prefix. */
    public static final String PREFIX = "\\\\.\\pipe\\ipcbus-";
    /** Longest pipe name Windows accepts. */
    public static final int MAX_NAME_LENGTH = 256;

    private static final Pattern BUS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern NAME = Pattern.compile("\\\\\\\\\\.\\\\pipe\\\\ipcbus-[A-Za-z0-9_.-]{1,64}-"
        + "[0-9a-f]{16}");

    private WindowsPipeNames() {
    }

    /**
     * @param busName the bus name.
     * @param nodeId  the node.
     * @return the node's inbox pipe name.
     * @throws ConfigurationException if the bus name has characters a pipe name cannot hold.
     */
    public static String inboxName(final String busName, final long nodeId) {
        if (!BUS.matcher(busName).matches()) {
            throw new ConfigurationException("bad bus name for a pipe name: bus=" + busName);
        }
        return PREFIX + busName + "-" + NodeIds.format(nodeId);
    }

    /**
     * @param address an address read from the registry.
     * @param nodeId  the node it should belong to.
     * @return {@code true} if it is a name this layer gives that node.
     */
    public static boolean isInboxNameOf(final String address, final long nodeId) {
        return NAME.matcher(address).matches() && address.endsWith("-" + NodeIds.format(nodeId));
    }
}
