// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Issue 18's decision figures, each computed per round from scenarios of that round (measured minutes apart at most)
 * and printed as the median of the per-round values with the min-max over rounds: bus raw round trip and throughput
 * over Aeron's, the Jackson share of the typed round trip, the typed round trip, and allocation per message on the raw
 * path. A figure whose scenarios did not run is left out.
 * <p>
 * <b>Thread safety:</b> not thread-safe; called once by the bench's main thread.
 */
final class Issue18Report {
    /** The scenario doing one typed round trip's Jackson work without bus or transport. */
    static final String JACKSON_ALONE = "jackson alone codec";

    private static final String RAW_RTT = "rtt ipcbus raw 32B idle=spin";
    private static final String AERON_RTT = "rtt aeron 32B busy-spin";
    private static final String TYPED_RTT = "rtt ipcbus jackson idle=spin";
    private static final String RAW_TPUT = "tput ipcbus raw 32B idle=spin";
    private static final String AERON_TPUT = "tput aeron 32B busy-spin";

    private Issue18Report() {
    }

    /**
     * @param rounds     per scenario, one {@code double[]} per round (index 0: p50 in µs, or msgs/s).
     * @param allocation per scenario, bytes allocated per message, one value per round.
     */
    static void print(final Map<String, List<double[]>> rounds, final Map<String, List<Double>> allocation) {
        System.out.println();
        System.out.println("### Issue 18 figures (same run; median of per-round values, min-max over rounds)");
        System.out.println();
        figure("bus raw rtt / Aeron rtt, p50, 32 B, spin", "%.2fx", rounds, List.of(RAW_RTT, AERON_RTT),
            (v, r) -> v[0][r] / v[1][r]);
        figure("bus raw tput / Aeron tput, 32 B, spin", "%.2fx", rounds, List.of(RAW_TPUT, AERON_TPUT),
            (v, r) -> v[0][r] / v[1][r]);
        figure("Jackson share: typed rtt p50 - raw rtt p50 - Jackson alone p50, spin (target <= 1 µs)", "%.2f µs",
            rounds, List.of(TYPED_RTT, RAW_RTT, JACKSON_ALONE), (v, r) -> v[0][r] - v[1][r] - v[2][r]);
        figure("typed rtt p50, idle=spin, bench record (target <= 2.0 µs)", "%.2f µs", rounds, List.of(TYPED_RTT),
            (v, r) -> v[0][r]);
        figure("Jackson alone p50 (2 encodes + 2 decodes of the bench record)", "%.2f µs", rounds,
            List.of(JACKSON_ALONE), (v, r) -> v[0][r]);
        figure("typed rtt p50 / raw rtt p50, spin", "%.2fx", rounds, List.of(TYPED_RTT, RAW_RTT),
            (v, r) -> v[0][r] / v[1][r]);
        for (final String scenario : List.of(RAW_RTT, RAW_TPUT, TYPED_RTT, JACKSON_ALONE)) {
            final List<Double> bytes = allocation.get(scenario);
            if (bytes != null) {
                print("allocation per message, " + scenario, "%.2f B",
                    bytes.stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
    }

    /** A figure computed from the per-round p50s (index 0) of some scenarios. */
    @FunctionalInterface
    private interface PerRound {
        double of(double[][] values, int round);
    }

    private static void figure(final String label, final String format, final Map<String, List<double[]>> rounds,
        final List<String> scenarios, final PerRound perRound) {
        final double[][] values = new double[scenarios.size()][];
        int count = Integer.MAX_VALUE;
        for (int i = 0; i < values.length; i++) {
            final List<double[]> results = rounds.get(scenarios.get(i));
            if (results == null) {
                return;
            }
            values[i] = results.stream().mapToDouble(v -> v[0]).toArray();
            count = Math.min(count, values[i].length);
        }
        final int n = count;
        final IntToDoubleFunction round = r -> perRound.of(values, r);
        print(label + " [" + String.join(", ", scenarios) + "]", format,
            IntStream.range(0, n).mapToDouble(round).toArray());
    }

    private static void print(final String label, final String format, final double[] perRound) {
        if (perRound.length == 0) {
            return;
        }
        final StringBuilder each = new StringBuilder();
        for (final double value : perRound) {
            each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, value));
        }
        final double[] sorted = perRound.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        final double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        System.out.printf(Locale.ROOT, "- %s: **%s** (%s - %s over %d rounds: %s)%n", label,
            String.format(Locale.ROOT, format, median), String.format(Locale.ROOT, format, sorted[0]),
            String.format(Locale.ROOT, format, sorted[n - 1]), n, each);
    }
}
