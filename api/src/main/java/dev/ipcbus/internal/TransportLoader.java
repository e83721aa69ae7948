// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.internal;

import dev.ipcbus.ConfigurationException;
import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.spi.TransportProvider;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds the {@link TransportProvider} for a URI scheme with {@link ServiceLoader}. A provider that fails to load is
 * reported in the error, never silently skipped; two providers of one scheme are an error (no class-path order
 * roulette); an unknown scheme fails with the schemes found.
 * <p>
 * <b>Thread safety:</b> stateless; safe for concurrent use.
 */
public final class TransportLoader {
    /** The artifact that provides each of our schemes, named when the class path lacks it. */
    private static final Map<String, String> ARTIFACTS = Map.of(
        "filemap", "dev.ipcbus:ipcbus-transport-filemap",
        "pipe", "dev.ipcbus:ipcbus-transport-pipe",
        "mailslot", "dev.ipcbus:ipcbus-transport-mailslot",
        "nats", "dev.ipcbus:ipcbus-transport-nats");

    private TransportLoader() {
    }

    /**
     * @param scheme the URI scheme.
     * @return the provider, supported on this OS.
     * @throws ConfigurationException        if no provider or several serve the scheme.
     * @throws TransportUnavailableException if the provider cannot run here.
     */
    public static TransportProvider find(final String scheme) {
        final Map<String, List<TransportProvider>> providers = new TreeMap<>();
        final List<String> loadErrors = new ArrayList<>();
        load(providers, loadErrors);
        final List<TransportProvider> matching = providers.get(scheme);
        if (matching == null) {
            final String artifact = ARTIFACTS.get(scheme);
            throw new ConfigurationException("unknown transport scheme: scheme=" + scheme + ", available="
                + describe(providers) + (artifact == null ? "" : ", add the dependency " + artifact
                + " (or dev.ipcbus:ipcbus for every local transport)")
                + (loadErrors.isEmpty() ? "" : ", loadErrors=" + loadErrors));
        }
        if (matching.size() > 1) {
            final List<String> names = new ArrayList<>();
            matching.forEach(provider -> names.add(provider.getClass().getName()));
            throw new ConfigurationException("several providers for one scheme: scheme=" + scheme
                + ", providers=" + names);
        }
        final TransportProvider provider = matching.get(0);
        if (provider.apiVersion() != TransportProvider.API_VERSION) {
            throw new TransportUnavailableException("transport built for another SPI version: scheme=" + scheme
                + ", providerApiVersion=" + provider.apiVersion() + ", coreApiVersion="
                + TransportProvider.API_VERSION);
        }
        if (!provider.isSupported()) {
            throw new TransportUnavailableException("transport unavailable: scheme=" + scheme + ", reason="
                + provider.unsupportedReason() + ", available=" + describe(providers));
        }
        return provider;
    }

    private static void load(final Map<String, List<TransportProvider>> providers, final List<String> loadErrors) {
        final ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader() : TransportLoader.class.getClassLoader();
        final Iterator<TransportProvider> iterator = ServiceLoader.load(TransportProvider.class, loader).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                final TransportProvider provider = iterator.next();
                providers.computeIfAbsent(provider.scheme(), k -> new ArrayList<>()).add(provider);
            } catch (final ServiceConfigurationError ex) {
                loadErrors.add(ex.getMessage());
            }
        }
    }

    private static String describe(final Map<String, List<TransportProvider>> providers) {
        final List<String> parts = new ArrayList<>();
        providers.forEach((scheme, list) -> parts.add(scheme + "(" + status(list.get(0)) + ")"));
        return parts.toString();
    }

    private static String status(final TransportProvider provider) {
        try {
            return provider.isSupported() ? "ok" : "unsupported: " + provider.unsupportedReason();
        } catch (final RuntimeException | LinkageError ex) {
            return "unsupported: " + ex;
        }
    }
}
