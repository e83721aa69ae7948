// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.spi;

/**
 * Creates {@link Transport}s for one URI scheme; found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/dev.ipcbus.spi.TransportProvider}.
 * <p>
 * Implementations have a cheap public no-argument constructor: the core instantiates every provider on the class path
 * to list the schemes found, so nothing native may be loaded before {@link #isSupported()} or
 * {@link #create(TransportContext)} is called.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public interface TransportProvider {
    /**
     * The SPI version this build of the core speaks. A provider built against another version is refused with a
     * message naming both.
     */
    int API_VERSION = 1;

    /**
     * @return the URI scheme this provider serves, lower case, e.g. {@code "filemap"}.
     */
    String scheme();

    /**
     * @return the SPI version the provider was built against; {@link #API_VERSION} unless overridden.
     */
    default int apiVersion() {
        return API_VERSION;
    }

    /**
     * @return {@code true} if nodes can reach each other only inside one JVM: the registry is then kept in memory and
     * no runtime directory is created.
     */
    default boolean isProcessLocal() {
        return false;
    }

    /**
     * Probes whether the transport can run on this OS and JVM. Computed lazily, cached.
     *
     * @return {@code true} if {@link #create(TransportContext)} may be called.
     */
    boolean isSupported();

    /**
     * @return why the transport is not supported here (OS, missing native library, opt-out property), or
     * {@code null} when it is.
     */
    String unsupportedReason();

    /**
     * Creates a transport for one bus node. The provider reads its own options from
     * {@link TransportContext#options()}; the core rejects any option nobody read.
     *
     * @param context the bus name, options and shared services.
     * @return a new transport, owned by the caller.
     * @throws dev.ipcbus.ConfigurationException        if an option is malformed.
     * @throws dev.ipcbus.TransportUnavailableException if the transport cannot run here.
     */
    Transport create(TransportContext context);
}
