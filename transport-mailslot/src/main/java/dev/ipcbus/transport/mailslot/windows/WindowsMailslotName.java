// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.transport.mailslot.windows;

import dev.ipcbus.spi.NodeIds;

import java.util.regex.Pattern;

/**
 * Names of the bus's mailslots: {@code \\.\mailslot\ipcbus\<bus>\<16 hex digits of the node id>}. Local only (the
 * {@code \\.\} prefix): remote {@code \\*\mailslot\…} broadcast is never used (424-byte messages, off by default on
 * current Windows).
 * <p>
 * <b>Thread safety:</b> stateless.
 */
public final class WindowsMailslotName {
    /** Prefix of every name this transport creates. */
    public static final String PREFIX = "\\\\.\\mailslot\\ipcbus\\";

    /** Longest name accepted ({@code MAX_PATH} less the terminating NUL). */
    public static final int MAX_LENGTH = 259;

    private static final Pattern BUS_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private WindowsMailslotName() {
    }

    /**
     * @param busName the bus name ({@code [A-Za-z0-9_.-]}, 1 to 64 characters).
     * @param nodeId  the node.
     * @return the node's mailslot name.
     * @throws IllegalArgumentException if the bus name is not valid.
     */
    public static String of(final String busName, final long nodeId) {
        if (!BUS_NAME.matcher(busName).matches() || busName.equals(".") || busName.equals("..")) {
            throw new IllegalArgumentException("bad bus name for a mailslot: busName=" + busName);
        }
        final String name = PREFIX + busName + "\\" + NodeIds.format(nodeId);
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("mailslot name too long: name=" + name + ", max=" + MAX_LENGTH);
        }
        return name;
    }

    /**
     * @param busName the bus.
     * @param nodeId  the node.
     * @param name    an address read from the registry.
     * @return {@code true} if it is the name {@link #of(String, long)} gives.
     */
    public static boolean isNameOf(final String busName, final long nodeId, final String name) {
        return of(busName, nodeId).equalsIgnoreCase(name);
    }
}
