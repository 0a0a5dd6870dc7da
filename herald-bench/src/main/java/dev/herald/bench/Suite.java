package dev.herald.bench;

import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.Protocol;
import dev.herald.bench.report.SvgChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark suite: every scenario against every target, one after the other on this machine,
 * each target started fresh per scenario. Writes a Markdown table and SVG charts per scenario into
 * the output folder, and prints them.
 *
 * <pre>
 * herald-bench/bench --main dev.herald.bench.Suite --targets herald,nchan,emitter --out docs/bench
 * herald-bench/bench --main dev.herald.bench.Suite --targets herald --protocols h1,h1-tls,h2c,h2 --scenarios fanout-1k --out target/bench
 * </pre>
 *
 * Takes {@link Bench}'s {@code --protocols}, {@code --streams-per-connection}, {@code --h2-window} and {@code --threads} too.
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
        List<Protocol> protocols = Stream.of(options.getOrDefault("protocols", "h1").split(",")).map(Protocol::of).toList();
        for (String name : targets) {
            protocols.forEach(protocol -> Bench.checkSpeaks(name, protocol));
        }
        List<String> wanted = options.containsKey("scenarios") ? List.of(options.get("scenarios").split(",")) : null;
        Path out = Path.of(options.getOrDefault("out", "docs/bench"));
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Files.createDirectories(out);
        StringBuilder report = new StringBuilder();
        for (Scenario scenario : SCENARIOS) {
            if (wanted != null && !wanted.contains(scenario.name())) {
                continue;
            }
            List<Bench.Run> runs = new ArrayList<>();
            for (String name : targets) {
                for (Protocol protocol : protocols) {
                    System.out.printf("%s: %s on %s over %s...%n", Instant.now(), scenario.name(), name, protocol.label());
                    try {
                        LoadGenerator.Result result = Bench.measure(name, protocol, options, work, target -> new LoadGenerator.Config(
                                target.subscribeUrl(), target.publishUrl(), target.publishFormat(), scenario.subscribers(), scenario.topics(),
                                scenario.rate(), scenario.duration(), 64, scenario.publishers(), 64,
                                Duration.ofSeconds(scenario.rate() < 0 ? 10 : 3), "s" + System.currentTimeMillis() % 100000 + "t",
                                scenario.churn()));
                        System.out.println("  " + Bench.describe(result));
                        runs.add(new Bench.Run(name, protocol, 1, result));
                    } catch (Exception e) {
                        System.out.println("  failed: " + e);
                    }
                }
            }
            String section = section(scenario, runs);
            report.append(section);
            Files.writeString(out.resolve(scenario.name() + ".md"), section);
            Files.writeString(out.resolve(scenario.name() + ".svg"), chart(scenario, runs));
        }
        System.out.println(report);
    }

    static String section(Scenario scenario, List<Bench.Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(scenario.name()).append(": ").append(scenario.description()).append("\n\n");
        if (scenario.rate() < 0) {
            md.append("| target | connected | connect time | connections/s | server RSS before | with connections | bytes per connection |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            runs.forEach(run -> {
                LoadGenerator.Result r = run.result();
                md.append(String.format(Locale.ROOT, "| %s | %d/%d | %.2f s | %.0f | %.0f MB | %.0f MB | %.0f |%n",
                        run.label(runs), r.connected(), r.subscribers(), r.connectSeconds(), r.connected() / Math.max(0.001, r.connectSeconds()),
                        r.rssBeforeBytes() / 1e6, r.rssIdleBytes() / 1e6, r.bytesPerConnection()));
            });
        } else {
            md.append(Bench.table(runs));
            Bench.Run herald = runs.stream().filter(run -> run.target().equals("herald") && run.protocol() == Protocol.H1)
                    .findFirst().orElse(null);
            if (herald != null && scenario.subscribers() > 0) {
                md.append('\n');
                runs.forEach(run -> {
                    LoadGenerator.Result r = run.result();
                    if (!run.target().equals("herald") && r.deliveriesPerSecond() > 0) {
                        LoadGenerator.Result h = herald.result();
                        md.append(String.format(Locale.ROOT, "Herald/%s: deliveries/s %.2f×, CPU per delivery %.2f×, p99 %.2f×.%n",
                                run.label(runs), h.deliveriesPerSecond() / r.deliveriesPerSecond(),
                                h.cpuMicrosPerDelivery() / Math.max(1e-9, r.cpuMicrosPerDelivery()),
                                h.latencyMicros().getValueAtPercentile(99) / (double) Math.max(1, r.latencyMicros().getValueAtPercentile(99))));
                    }
                });
                md.append(Bench.protocolRatios(runs));
            }
        }
        return md.append("\n![").append(scenario.name()).append("](bench/").append(scenario.name()).append(".svg)\n\n").toString();
    }

    static String chart(Scenario scenario, List<Bench.Run> runs) {
        SvgChart chart = new SvgChart(scenario.name() + ": " + scenario.description());
        Map<String, Double> first = new LinkedHashMap<>();
        Map<String, Double> second = new LinkedHashMap<>();
        Map<String, Double> third = new LinkedHashMap<>();
        if (scenario.rate() < 0) {
            runs.forEach(run -> {
                first.put(run.label(runs), run.result().bytesPerConnection());
                second.put(run.label(runs), run.result().connected() / Math.max(0.001, run.result().connectSeconds()));
            });
            return chart.panel("Server memory per idle connection", "bytes of RSS", first, true)
                    .panel("Connection rate", "connections/s", second, false).render();
        }
        runs.forEach(run -> {
            LoadGenerator.Result r = run.result();
            first.put(run.label(runs), scenario.subscribers() == 0 ? r.publishRate() : r.deliveriesPerSecond());
            second.put(run.label(runs), r.latencyMicros().getValueAtPercentile(99) / 1000.0);
            third.put(run.label(runs), r.cpuMicrosPerDelivery());
        });
        if (scenario.subscribers() == 0) {
            return chart.panel("Publishes accepted", "events/s", first, false).render();
        }
        return chart.panel("Deliveries", "events/s", first, false)
                .panel("p99 publish-to-receive latency", "ms", second, true)
                .panel("Server CPU per delivery", "µs", third, true).render();
    }
}
