package dev.herald.bench;

import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.report.SvgChart;
import dev.herald.bench.target.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The benchmark suite: every scenario against every target, one after the other on this machine,
 * each target started fresh per scenario. Writes a Markdown table and SVG charts per scenario into
 * the output folder, and prints them.
 *
 * <pre>
 * herald-bench/bench --main dev.herald.bench.Suite --targets herald,nchan,emitter --out docs/bench
 * </pre>
 */
public final class Suite {

    /** One load shape. Rate: events/s in all; 0 = as fast as accepted; -1 = idle. */
    record Scenario(String name, String description, int subscribers, int topics, double rate, Duration duration,
            int publishers, double churn) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("fanout-1k", "1,000 subscribers of one topic, 1,000 events/s", 1000, 1, 1000, Duration.ofSeconds(20), 1, 0),
            new Scenario("fanout-10k", "10,000 subscribers of one topic, 100 events/s", 10_000, 1, 100, Duration.ofSeconds(20), 1, 0),
            new Scenario("topics-1k", "1,000 topics x 10 subscribers, 1,000 events/s in all", 10_000, 1000, 1000, Duration.ofSeconds(20), 8, 0),
            new Scenario("resume", "1,000 subscribers, 500 events/s, 10% dropped and resumed every second", 1000, 1, 500, Duration.ofSeconds(20), 1, 0.1),
            new Scenario("publish-only", "no subscribers, publishing as fast as accepted", 0, 1, 0, Duration.ofSeconds(10), 1, 0),
            new Scenario("idle-15k", "15,000 idle connections", 15_000, 1, -1, Duration.ZERO, 1, 0));

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Bench.parse(args);
        List<String> targets = List.of(options.getOrDefault("targets", "herald,nchan,emitter").split(","));
        List<String> wanted = options.containsKey("scenarios") ? List.of(options.get("scenarios").split(",")) : null;
        Path out = Path.of(options.getOrDefault("out", "docs/bench"));
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Files.createDirectories(out);
        StringBuilder report = new StringBuilder();
        for (Scenario scenario : SCENARIOS) {
            if (wanted != null && !wanted.contains(scenario.name())) {
                continue;
            }
            Map<String, LoadGenerator.Result> results = new LinkedHashMap<>();
            for (String name : targets) {
                System.out.printf("%s: %s on %s...%n", Instant.now(), scenario.name(), name);
                try (Target target = Bench.target(name, options, work.resolve(name)); LoadGenerator load = new LoadGenerator(2)) {
                    target.start();
                    LoadGenerator.Config config = new LoadGenerator.Config(target.subscribeUrl(), target.publishUrl(),
                            target.publishFormat(), scenario.subscribers(), scenario.topics(), scenario.rate(), scenario.duration(),
                            64, scenario.publishers(), 64, Duration.ofSeconds(scenario.rate() < 0 ? 10 : 3),
                            "s" + System.currentTimeMillis() % 100000 + "t", scenario.churn());
                    Bench.warmUp(load, config, options);
                    LoadGenerator.Result result = load.run(config, target.probe());
                    System.out.println("  " + Bench.describe(result));
                    results.put(name, result);
                } catch (Exception e) {
                    System.out.println("  failed: " + e);
                }
            }
            String section = section(scenario, results, targets);
            report.append(section);
            Files.writeString(out.resolve(scenario.name() + ".md"), section);
            Files.writeString(out.resolve(scenario.name() + ".svg"), chart(scenario, results));
        }
        System.out.println(report);
    }

    static String section(Scenario scenario, Map<String, LoadGenerator.Result> results, List<String> targets) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(scenario.name()).append(": ").append(scenario.description()).append("\n\n");
        if (scenario.rate() < 0) {
            md.append("| target | connected | connect time | connections/s | server RSS before | with connections | bytes per connection |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            results.forEach((name, r) -> md.append(String.format(Locale.ROOT, "| %s | %d/%d | %.2f s | %.0f | %.0f MB | %.0f MB | %.0f |%n",
                    name, r.connected(), r.subscribers(), r.connectSeconds(), r.connected() / Math.max(0.001, r.connectSeconds()),
                    r.rssBeforeBytes() / 1e6, r.rssIdleBytes() / 1e6, r.bytesPerConnection())));
        } else {
            md.append("| target | published/s | deliveries/s | lost | repeated or late | streams dropped (resumed) | p50 | p90 | p99 | p99.9 | max | publish p99 | server CPU | CPU µs per delivery |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            results.forEach((name, r) -> {
                Histogram h = r.latencyMicros();
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %d | %d | %d | %s | %s | %s | %s | %s | %s | %.1f s | %.2f |%n",
                        name, r.publishRate(), r.deliveriesPerSecond(), r.lost(), r.outOfOrder(), r.disconnected(),
                        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                        ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), ms(r.publishRoundTripMicros().getValueAtPercentile(99)),
                        r.serverCpuSeconds(), r.cpuMicrosPerDelivery()));
            });
            LoadGenerator.Result herald = results.get("herald");
            if (herald != null && scenario.subscribers() > 0) {
                md.append('\n');
                results.forEach((name, r) -> {
                    if (!name.equals("herald") && r.deliveriesPerSecond() > 0) {
                        md.append(String.format(Locale.ROOT, "Herald/%s: deliveries/s %.2f×, CPU per delivery %.2f×, p99 %.2f×.%n",
                                name, herald.deliveriesPerSecond() / r.deliveriesPerSecond(),
                                herald.cpuMicrosPerDelivery() / Math.max(1e-9, r.cpuMicrosPerDelivery()),
                                herald.latencyMicros().getValueAtPercentile(99) / (double) Math.max(1, r.latencyMicros().getValueAtPercentile(99))));
                    }
                });
            }
        }
        return md.append("\n![").append(scenario.name()).append("](bench/").append(scenario.name()).append(".svg)\n\n").toString();
    }

    static String chart(Scenario scenario, Map<String, LoadGenerator.Result> results) {
        SvgChart chart = new SvgChart(scenario.name() + ": " + scenario.description());
        Map<String, Double> first = new LinkedHashMap<>();
        Map<String, Double> second = new LinkedHashMap<>();
        Map<String, Double> third = new LinkedHashMap<>();
        if (scenario.rate() < 0) {
            results.forEach((name, r) -> {
                first.put(name, r.bytesPerConnection());
                second.put(name, r.connected() / Math.max(0.001, r.connectSeconds()));
            });
            return chart.panel("Server memory per idle connection", "bytes of RSS", first, true)
                    .panel("Connection rate", "connections/s", second, false).render();
        }
        results.forEach((name, r) -> {
            first.put(name, scenario.subscribers() == 0 ? r.publishRate() : r.deliveriesPerSecond());
            second.put(name, r.latencyMicros().getValueAtPercentile(99) / 1000.0);
            third.put(name, r.cpuMicrosPerDelivery());
        });
        if (scenario.subscribers() == 0) {
            return chart.panel("Publishes accepted", "events/s", first, false).render();
        }
        return chart.panel("Deliveries", "events/s", first, false)
                .panel("p99 publish-to-receive latency", "ms", second, true)
                .panel("Server CPU per delivery", "µs", third, true).render();
    }

    private static String ms(long micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1000.0) : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
