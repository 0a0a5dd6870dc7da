package dev.herald.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small SVG writer for benchmark charts: stacked panels of horizontal bars, one bar per target,
 * each panel on its own scale, with the value printed at the end of each bar. No dependencies.
 */
public final class SvgChart {

    private static final int WIDTH = 640;
    private static final int LABEL = 120;
    private static final int BAR = 18;
    private static final int GAP = 6;
    private static final Map<String, String> COLORS = Map.of(
            "herald", "#2f6fde", "herald-netty", "#5b8def", "herald-mvc", "#8fb3f5",
            "nchan", "#e0922f", "emitter", "#9a9a9a");

    private record Panel(String title, String unit, Map<String, Double> values, boolean lowerIsBetter) {
    }

    private final String title;
    private final List<Panel> panels = new ArrayList<>();

    public SvgChart(String title) {
        this.title = title;
    }

    /** Adds a panel: one bar per target, in the order given. */
    public SvgChart panel(String panelTitle, String unit, Map<String, Double> values, boolean lowerIsBetter) {
        panels.add(new Panel(panelTitle, unit, new LinkedHashMap<>(values), lowerIsBetter));
        return this;
    }

    public String render() {
        StringBuilder svg = new StringBuilder();
        int y = 34;
        StringBuilder body = new StringBuilder();
        for (Panel panel : panels) {
            body.append(text(10, y, panel.title() + " (" + panel.unit() + (panel.lowerIsBetter() ? ", lower is better" : ", higher is better") + ")",
                    13, "bold"));
            y += 10;
            double max = panel.values().values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
            for (Map.Entry<String, Double> bar : panel.values().entrySet()) {
                double value = bar.getValue();
                int length = max <= 0 ? 0 : (int) Math.round((WIDTH - LABEL - 110) * value / max);
                body.append(text(10, y + BAR - 5, bar.getKey(), 12, "normal"));
                body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                        LABEL, y, Math.max(1, length), BAR, COLORS.getOrDefault(bar.getKey(), "#555")));
                body.append(text(LABEL + Math.max(1, length) + 6, y + BAR - 5, format(value), 12, "normal"));
                y += BAR + GAP;
            }
            y += 18;
        }
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\">%n", WIDTH, y));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(10, 20, title, 15, "bold"));
        svg.append(body);
        svg.append("</svg>\n");
        return svg.toString();
    }

    static String format(double value) {
        if (value >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2fM", value / 1_000_000);
        }
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", value / 1000);
        }
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String text(int x, int y, String content, int size, String weight) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n", x, y, size, weight,
                content.replace("&", "&amp;").replace("<", "&lt;"));
    }
}
