// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import java.util.List;

/**
 * The sample business messages of the tour: plain Java records, serialized by Jackson.
 */
public final class Shop {
    /** Published on {@code orders.<region>.created}. */
    public record Order(String id, String region, String sku, int quantity, long priceCents) {
    }

    /** Sent as a request on {@code stock.check}. */
    public record StockQuery(String sku) {
    }

    /** The reply to a {@link StockQuery}. */
    public record StockLevel(String sku, int available, String warehouse) {
    }

    static final List<String> SKUS = List.of("APPLE", "PEAR", "PLUM", "FIG", "KIWI");
    static final List<String> REGIONS = List.of("eu", "us", "apac");

    private Shop() {
    }

    static Order order(final int n) {
        return new Order("O-" + (1001 + n), REGIONS.get(n % REGIONS.size()), SKUS.get(n % SKUS.size()),
            1 + (n * 7) % 5, 120L + (n * 37L) % 400);
    }

    static StockLevel stockOf(final String sku) {
        return new StockLevel(sku, Math.abs(sku.hashCode() % 50), "north");
    }
}
