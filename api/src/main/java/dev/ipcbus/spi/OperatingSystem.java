// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

import java.util.Locale;

/**
 * The one place that decides which OS layer the transports use. {@link #current()} reads
 * {@code -D}{@value #PLATFORM_PROPERTY} ({@code windows} or {@code posix}) first, then {@code os.name}; it is read on
 * each call, so that one JVM can create buses on both layers (the Wine test bed runs the Windows layers on Linux with
 * {@code -Dipcbus.platform=windows}). {@link #host()} is the OS the JVM runs on, whatever the property says.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public enum OperatingSystem {
    /** Linux: the POSIX layers with Linux constant values. */
    LINUX,
    /** macOS: the POSIX layers where they do not need Linux constant values. */
    MAC,
    /** Windows, or any OS with {@code -Dipcbus.platform=windows}: the Win32 layers. */
    WINDOWS,
    /** Anything else: no transport layer. */
    OTHER;

    /** The system property selecting the OS layer: {@code windows} or {@code posix}; default from {@code os.name}. */
    public static final String PLATFORM_PROPERTY = "ipcbus.platform";

    /**
     * @return the OS whose layer the transports use now: {@link #WINDOWS} if {@value #PLATFORM_PROPERTY} says
     * {@code windows}, the {@link #host()} if it says {@code posix} (or {@link #OTHER} on a Windows host), else the
     * host.
     */
    public static OperatingSystem current() {
        final String platform = System.getProperty(PLATFORM_PROPERTY, "").trim();
        if (platform.equalsIgnoreCase("windows")) {
            return WINDOWS;
        }
        final OperatingSystem host = host();
        if (platform.equalsIgnoreCase("posix") && host == WINDOWS) {
            return OTHER;
        }
        return host;
    }

    /**
     * @return the OS the JVM runs on, from {@code os.name}.
     */
    public static OperatingSystem host() {
        final String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return MAC;
        }
        if (name.startsWith("windows")) {
            return WINDOWS;
        }
        return OTHER;
    }

    /**
     * @return whether this OS uses the POSIX layers.
     */
    public boolean isPosix() {
        return this == LINUX || this == MAC;
    }
}
