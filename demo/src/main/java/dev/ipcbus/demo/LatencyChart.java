// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a latency-by-percentile chart as SVG: x is the percentile on the usual log scale (50%, 90%, 99%, 99.9%...),
 * y the latency on a log scale (each decade labelled in its own unit), one line per series, with the run's facts
 * (date, Java, OS, CPUs) under the axes.
 */
final class LatencyChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int WIDTH = 820;
    private static final int HEIGHT = 440;
    private static final int LEFT = 84;
    private static final int RIGHT = 210;
    private static final int TOP = 48;
    private static final int BOTTOM = 64;
    private static final int MAX_NINES = 5; // up to 99.999%
    private static final String[] PERCENTILE_LABELS = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};

    private LatencyChart() {
    }

    static void write(final Path file, final String title, final Map<String, Histogram> series) throws IOException {
        double minMicros = Double.MAX_VALUE;
        double maxMicros = 0;
        for (final Histogram histogram : series.values()) {
            minMicros = Math.min(minMicros, Math.max(0.1, histogram.getMinValue() / 1000.0));
            maxMicros = Math.max(maxMicros, histogram.getMaxValue() / 1000.0);
        }
        if (series.isEmpty()) {
            minMicros = 1;
            maxMicros = 10;
        }
        final double lowDecade = Math.floor(Math.log10(minMicros));
        final double highDecade = Math.max(lowDecade + 1, Math.ceil(Math.log10(maxMicros)));
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
            escape(title)));
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            final double x = LEFT + plotWidth * (double)nines / MAX_NINES;
            final String label = PERCENTILE_LABELS[nines];
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP, x, TOP + plotHeight, x,
                TOP + plotHeight + 18, label));
        }
        for (double decade = lowDecade; decade <= highDecade; decade++) {
            final double y = TOP + plotHeight - plotHeight * (decade - lowDecade) / (highDecade - lowDecade);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotWidth, y,
                LEFT - 6, y + 4, formatMicros(Math.pow(10, decade))));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 26));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" "
            + "text-anchor=\"middle\">round-trip latency (log scale)</text>%n", TOP + plotHeight / 2));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s</text>%n",
            LEFT, HEIGHT - 8, escape(runFacts())));
        int index = 0;
        for (final Map.Entry<String, Histogram> entry : series.entrySet()) {
            final String color = COLORS[index % COLORS.length];
            final StringBuilder points = new StringBuilder();
            for (final HistogramIterationValue value : entry.getValue().percentiles(5)) {
                final double percentile = Math.min(value.getPercentileLevelIteratedTo(), 99.9999);
                final double nines = Math.min(MAX_NINES, -Math.log10(1 - percentile / 100.0));
                final double micros = Math.max(Math.pow(10, lowDecade), value.getValueIteratedTo() / 1000.0);
                final double x = LEFT + plotWidth * nines / MAX_NINES;
                final double y = TOP + plotHeight - plotHeight * (Math.log10(micros) - lowDecade)
                    / (highDecade - lowDecade);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                if (nines >= MAX_NINES) {
                    break;
                }
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                + "points=\"%s\"/>%n", color, points.toString().trim()));
            final int legendY = TOP + 16 + index * 20;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s (p50 %s)</text>%n", WIDTH - RIGHT + 10, legendY,
                WIDTH - RIGHT + 30, legendY, color, WIDTH - RIGHT + 36, legendY + 4, escape(entry.getKey()),
                escape(Durations.format(entry.getValue().getValueAtPercentile(50)))));
            index++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    /** A decade in its own unit: 100 ns, 1 µs, 10 µs, 100 µs, 1 ms, 10 ms, 100 ms, 1 s. */
    private static String formatMicros(final double micros) {
        if (micros < 1) {
            return String.format(Locale.ROOT, "%.0f ns", micros * 1000);
        }
        if (micros < 1000) {
            return String.format(Locale.ROOT, "%.0f \u00b5s", micros);
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1000);
        }
        return String.format(Locale.ROOT, "%.0f s", micros / 1_000_000);
    }

    /** The run's facts under the chart: when, which JVM, how many CPUs. */
    private static String runFacts() {
        return "measured " + LocalDate.now() + " on Java " + System.getProperty("java.version") + ", "
            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
            + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static String escape(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
