package dev.ipcbus.wine;

/**
 * {@code winemailslot://name}: the mailslot transport's Windows layer under Wine (see
 * {@link WineTransportProvider}); its factory is
 * {@code dev.ipcbus.transport.mailslot.windows.WineMailslotTransportFactory}, in the
 * transport's tests.
 * <p>
 * <b>Thread safety:</b> safe for concurrent use.
 */
public final class WineMailslotTransportProvider extends WineTransportProvider {
    /** The test scheme. */
    public static final String SCHEME = "winemailslot";

    /**
     * Cheap: loads nothing.
     */
    public WineMailslotTransportProvider() {
        super(SCHEME, "dev.ipcbus.transport.mailslot.windows.WineMailslotTransportFactory");
    }
}
