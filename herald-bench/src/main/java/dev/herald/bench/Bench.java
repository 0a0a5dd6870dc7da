package dev.herald.bench;

import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.ServerProbe;
import dev.herald.bench.target.EmitterTarget;
import dev.herald.bench.target.HeraldTarget;
import dev.herald.bench.target.MvcTarget;
import dev.herald.bench.target.NchanTarget;
import dev.herald.bench.target.NettyTarget;
import dev.herald.bench.target.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Runs one load against one or more targets, one after another on the same machine, and prints
 * what it measured. {@code bench --help} lists the options.
 */
public final class Bench {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("help")) {
            System.out.println("""
                    bench [--targets herald,nchan,emitter] [--subscribers 1000] [--topics 1] [--rate 1000]
                          [--duration 20s] [--payload 64] [--publishers 1] [--pipeline 64] [--settle 3s]
                          [--churn 0.1] [--warmup 15s] [--threads]
                          [--herald-jar herald-server/target/herald-server.jar] [--work target/bench]
                    targets: herald (the server jar, on Netty), herald-mvc (starter + herald-servlet in a Spring MVC app on Tomcat),
                             herald-netty (herald-netty alone), nchan, emitter (hand-written SseEmitter server)
                    rate: events/s in all; 0 = as fast as the target accepts; -1 = connect only (idle)""");
            return;
        }
        List<String> targets = List.of(options.getOrDefault("targets", "herald").split(","));
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Files.createDirectories(work);
        for (String name : targets) {
            try (Target target = target(name, options, work.resolve(name)); LoadGenerator load = new LoadGenerator(2)) {
                target.start();
                LoadGenerator.Config config = new LoadGenerator.Config(target.subscribeUrl(), target.publishUrl(),
                        target.publishFormat(),
                        Integer.parseInt(options.getOrDefault("subscribers", "1000")),
                        Integer.parseInt(options.getOrDefault("topics", "1")),
                        Double.parseDouble(options.getOrDefault("rate", "1000")),
                        duration(options.getOrDefault("duration", "20s")),
                        Integer.parseInt(options.getOrDefault("payload", "64")),
                        Integer.parseInt(options.getOrDefault("publishers", "1")),
                        Integer.parseInt(options.getOrDefault("pipeline", "64")),
                        duration(options.getOrDefault("settle", "3s")), "run" + System.currentTimeMillis() % 100000 + "t",
                        Double.parseDouble(options.getOrDefault("churn", "0")));
                warmUp(load, config, options);
                Map<String, Double> threadsBefore = target.probe().cpuByThread();
                LoadGenerator.Result result = load.run(config, target.probe());
                System.out.println(name + ": " + describe(result));
                if (options.containsKey("threads")) {
                    Map<String, Double> after = target.probe().cpuByThread();
                    after.replaceAll((thread, seconds) -> seconds - threadsBefore.getOrDefault(thread, 0.0));
                    after.entrySet().stream()
                            .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                            .forEach(e -> System.out.printf("  %-28s %.2f s%n", e.getKey(), e.getValue()));
                }
            }
        }
    }

    /**
     * The run's own load shape first, shorter and with at most 2,000 subscribers and no churn, so
     * that the code the run exercises is compiled before it is measured.
     */
    public static void warmUp(LoadGenerator load, LoadGenerator.Config run, Map<String, String> options) throws InterruptedException {
        Duration length = duration(options.getOrDefault("warmup", "15s"));
        if (length.isZero() || run.rate() < 0 || run.subscribers() == 0 && run.rate() != 0) {
            return;
        }
        load.run(new LoadGenerator.Config(run.subscribeUrl(), run.publishUrl(), run.format(), Math.min(run.subscribers(), 2000),
                Math.min(run.topics(), 200), run.rate(), length, run.payloadBytes(), run.publishers(), run.pipeline(),
                Duration.ofMillis(500), "warm" + System.currentTimeMillis() % 100000 + "t", 0, run.otherSubscribeUrls()),
                new ServerProbe(List::of));
    }

    static Target target(String name, Map<String, String> options, Path work) {
        return switch (name) {
            case "herald" -> new HeraldTarget(Path.of(options.getOrDefault("herald-jar", "herald-server/target/herald-server.jar")),
                    18080, work, jvm(options.get("herald-jvm")), args(options.get("herald-args")));
            case "herald-netty" -> new NettyTarget(18083, work, jvm(options.get("herald-jvm")));
            case "herald-mvc" -> new MvcTarget(18084, work, jvm(options.get("herald-jvm")));
            case "nchan" -> new NchanTarget(18081, work);
            case "emitter" -> new EmitterTarget(18082, work, jvm(options.get("emitter-jvm")));
            default -> throw new IllegalArgumentException("unknown target " + name);
        };
    }

    private static List<String> jvm(String value) {
        return value == null ? List.of("-Xmx2g") : List.of(value.split(" "));
    }

    private static List<String> args(String value) {
        return value == null ? List.of() : List.of(value.split(" "));
    }

    public static String describe(LoadGenerator.Result r) {
        Histogram latency = r.latencyMicros();
        return String.format("connected %d/%d (refused %d) in %.2fs; published %d (rejected %d) at %.0f/s; "
                        + "delivered %d of %d (lost %d, out of order %d, dropped by the server and resumed %d, churned %d) at %.0f/s; "
                        + "latency us p50 %d p90 %d p99 %d p99.9 %d max %d; publish round trip us p50 %d p99 %d; server cpu %.2fs = %.2f us/delivery; "
                        + "rss before %.1f MB, idle %.1f MB (%.0f B/conn), after %.1f MB",
                r.connected(), r.subscribers(), r.refused(), r.connectSeconds(), r.published(), r.rejected(), r.publishRate(),
                r.deliveries(), r.expectedDeliveries(), r.lost(), r.outOfOrder(), r.disconnected(), r.reconnects(), r.deliveriesPerSecond(),
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9), latency.getMaxValue(), r.publishRoundTripMicros().getValueAtPercentile(50),
                r.publishRoundTripMicros().getValueAtPercentile(99), r.serverCpuSeconds(), r.cpuMicrosPerDelivery(),
                r.rssBeforeBytes() / 1e6, r.rssIdleBytes() / 1e6, r.bytesPerConnection(), r.rssAfterBytes() / 1e6);
    }

    public static Duration duration(String text) {
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        if (text.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        if (text.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(text));
    }

    public static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            String key = arg.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                options.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < rest.size() && !rest.get(i + 1).startsWith("--")) {
                options.put(key, rest.get(++i));
            } else {
                options.put(key, "true");
            }
        }
        return options;
    }
}
