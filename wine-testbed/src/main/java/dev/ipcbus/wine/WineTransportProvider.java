package dev.ipcbus.wine;

import dev.ipcbus.TransportUnavailableException;
import dev.ipcbus.spi.CachedProbe;
import dev.ipcbus.spi.Transport;
import dev.ipcbus.spi.TransportContext;
import dev.ipcbus.spi.TransportProvider;

/**
 * A test-only URI scheme ({@code winepipe://}, {@code winemailslot://}, {@code winefilemap://}) that opens a bus node
 * on a transport's <em>Windows</em> layer, its Win32 calls made under Wine through this JVM's {@link Win32Bridge}, so
 * the conformance suite and child JVMs ({@code ChildJvm}, which attach to the parent's {@link WineSession}) run the
 * Windows code unchanged.
 * <p>
 * The layer is built by a {@link WineTransportFactory} the transport's tests provide, found by class name (the test bed
 * cannot depend on the transports: they depend on it). Unsupported, with the reason, when Wine is unavailable or the
 * factory is not on the class path (the transport's test classes are absent).
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public abstract class WineTransportProvider implements TransportProvider {
    private final String scheme;
    private final String factoryClass;
    private final CachedProbe availability = CachedProbe.of(this::probe);

    /**
     * @param scheme       the test scheme.
     * @param factoryClass the {@link WineTransportFactory} class name.
     */
    protected WineTransportProvider(final String scheme, final String factoryClass) {
        this.scheme = scheme;
        this.factoryClass = factoryClass;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public boolean isSupported() {
        return unsupportedReason() == null;
    }

    @Override
    public String unsupportedReason() {
        return availability.unsupportedReason();
    }

    @Override
    public Transport create(final TransportContext context) {
        final String why = unsupportedReason();
        if (why != null) {
            throw new TransportUnavailableException(scheme + " test transport unavailable: reason=" + why);
        }
        return factory().create(context, WineSession.get().bridge());
    }

    private String probe() {
        if (!WineAvailability.isAvailable()) {
            return "Wine test bed unavailable: " + WineAvailability.unavailabilityCause();
        }
        try {
            factory();
            return null;
        } catch (final IllegalStateException ex) {
            return ex.getMessage();
        }
    }

    private WineTransportFactory factory() {
        try {
            final Class<?> type = Class.forName(factoryClass, true, loader());
            return (WineTransportFactory) type.getConstructor().newInstance();
        } catch (final ReflectiveOperationException | ClassCastException | LinkageError ex) {
            throw new IllegalStateException("no Wine factory for " + scheme + ":// on the class path (the transport's "
                + "test classes provide it): class=" + factoryClass + ", cause=" + ex);
        }
    }

    private static ClassLoader loader() {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : WineTransportProvider.class.getClassLoader();
    }
}
