package dev.ipcbus.wine;

/**
 * {@code winefilemap://name}: the filemap transport's Windows layer under Wine (see
 * {@link WineTransportProvider}); its factory is
 * {@code dev.ipcbus.transport.filemap.windows.WineFilemapTransportFactory}, in the
 * transport's tests.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineFilemapTransportProvider extends WineTransportProvider {
    /** The test scheme. */
    public static final String SCHEME = "winefilemap";

    /**
     * Cheap: loads nothing.
     */
    public WineFilemapTransportProvider() {
        super(SCHEME, "dev.ipcbus.transport.filemap.windows.WineFilemapTransportFactory");
    }
}
