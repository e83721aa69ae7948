package dev.ipcbus.wine;

/**
 * {@code winepipe://name}: the pipe transport's Windows layer under Wine (see
 * {@link WineTransportProvider}); its factory is
 * {@code dev.ipcbus.transport.pipe.windows.WinePipeTransportFactory}, in the
 * transport's tests.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WinePipeTransportProvider extends WineTransportProvider {
    /** The test scheme. */
    public static final String SCHEME = "winepipe";

    /**
     * Cheap: loads nothing.
     */
    public WinePipeTransportProvider() {
        super(SCHEME, "dev.ipcbus.transport.pipe.windows.WinePipeTransportFactory");
    }
}
