package dev.herald.bench;

import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.Protocol;
import dev.herald.bench.load.ServerProbe;
import dev.herald.bench.load.Transport;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Runs one load against one or more targets, and over one or more protocols, one after another on
 * the same machine, and prints what it measured; with several runs, also a Markdown table of them
 * and how the protocols compare. {@code bench --help} lists the options.
 */
public final class Bench {

    /** One measured run: a target, the protocol its subscribers spoke, the round it belongs to. */
    record Run(String target, Protocol protocol, int round, LoadGenerator.Result result) {

        /**
         * The target; then its protocol, when these runs have several or this one is not plain
         * HTTP/1.1; then its round, when they have several.
         */
        String label(List<Run> among) {
            boolean protocols = among.stream().map(Run::protocol).distinct().count() > 1;
            boolean rounds = among.stream().anyMatch(run -> run.round() > 1);
            return target + (protocols || protocol != Protocol.H1 ? " " + protocol.label() : "") + (rounds ? " #" + round : "");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("help")) {
            System.out.println("""
                    bench [--targets herald,nchan,emitter] [--subscribers 1000] [--topics 1] [--rate 1000]
                          [--duration 20s] [--payload 64] [--publishers 1] [--pipeline 64] [--settle 3s]
                          [--churn 0.1] [--warmup 15s] [--threads]
                          [--protocols h1,h1-tls,h2c,h2] [--streams-per-connection 100] [--h2-window 1048576]
                          [--rounds 1] [--out docs/bench/FILE.md]
                          [--herald-jar herald-server/target/herald-server.jar] [--work target/bench]
                    targets: herald (the server jar, on Netty), herald-mvc (starter + herald-servlet in a Spring MVC app on Tomcat),
                             herald-netty (herald-netty alone), nchan, emitter (hand-written SseEmitter server)
                    rate: events/s in all; 0 = as fast as the target accepts; -1 = connect only (idle)
                    protocols: what subscribers speak (every target: h1; herald: all four), each run on a fresh server:
                             h1      HTTP/1.1 in clear, a connection per subscriber (the default)
                             h1-tls  HTTP/1.1 over TLS, a connection per subscriber
                             h2c     HTTP/2 in clear (prior knowledge), --streams-per-connection subscribers on each connection
                             h2      HTTP/2 over TLS (ALPN), --streams-per-connection subscribers on each connection
                           With TLS the server gets a self-signed certificate made for the run, which the load generator
                           trusts, and the publisher posts over HTTP/1.1 on the same TLS port.
                    h2-window: bytes of flow-control window each HTTP/2 stream grants the server (the connection's is
                           this times the streams on it); 1 MiB by default, so flow control never paces a stream that is read
                    rounds: runs every target and protocol N times, in reverse order every other round (drift on a
                           shared machine then falls on each in turn), and reports each round's ratios and their mean
                    out: also writes the table and the ratios to this Markdown file""");
            return;
        }
        List<String> targets = List.of(options.getOrDefault("targets", "herald").split(","));
        List<Protocol> protocols = Stream.of(options.getOrDefault("protocols", "h1").split(",")).map(Protocol::of).toList();
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
        for (String name : targets) {
            protocols.forEach(protocol -> checkSpeaks(name, protocol));
        }
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Files.createDirectories(work);
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Protocol> order = new ArrayList<>(protocols);
            List<String> targetOrder = new ArrayList<>(targets);
            if (round % 2 == 0) {
                Collections.reverse(order);
                Collections.reverse(targetOrder);
            }
            for (String name : targetOrder) {
                for (Protocol protocol : order) {
                    LoadGenerator.Result result = measure(name, protocol, options, work, target -> new LoadGenerator.Config(
                            target.subscribeUrl(), target.publishUrl(), target.publishFormat(),
                            Integer.parseInt(options.getOrDefault("subscribers", "1000")),
                            Integer.parseInt(options.getOrDefault("topics", "1")),
                            Double.parseDouble(options.getOrDefault("rate", "1000")),
                            duration(options.getOrDefault("duration", "20s")),
                            Integer.parseInt(options.getOrDefault("payload", "64")),
                            Integer.parseInt(options.getOrDefault("publishers", "1")),
                            Integer.parseInt(options.getOrDefault("pipeline", "64")),
                            duration(options.getOrDefault("settle", "3s")), "run" + System.currentTimeMillis() % 100000 + "t",
                            Double.parseDouble(options.getOrDefault("churn", "0"))));
                    Run run = new Run(name, protocol, round, result);
                    runs.add(run);
                    System.out.println(run.label(List.of(run)) + (rounds > 1 ? " #" + round : "") + ": " + describe(result));
                }
            }
        }
        if (runs.size() > 1 || options.containsKey("out")) {
            String report = "`herald-bench/bench " + String.join(" ", args) + "`\n\n" + table(runs) + "\n" + protocolRatios(runs);
            System.out.println();
            System.out.println(report);
            if (options.containsKey("out")) {
                Files.writeString(Path.of(options.get("out")), report);
            }
        }
    }

    /**
     * Starts the target fresh for the protocol, warms it up with its load, measures the load, prints
     * the target's busiest threads if {@code --threads} asks, and stops the target.
     */
    static LoadGenerator.Result measure(String name, Protocol protocol, Map<String, String> options, Path work,
            Function<Target, LoadGenerator.Config> load) throws Exception {
        try (Target target = target(name, protocol, options, work.resolve(name)); LoadGenerator generator = new LoadGenerator(2)) {
            target.start();
            Transport transport = new Transport(protocol, Integer.parseInt(options.getOrDefault("streams-per-connection", "100")),
                    Integer.parseInt(options.getOrDefault("h2-window", Integer.toString(Transport.DEFAULT_HTTP2_WINDOW))),
                    target.certificate().orElse(null));
            LoadGenerator.Config config = load.apply(target).with(transport);
            warmUp(generator, config, options);
            Map<String, Double> threadsBefore = target.probe().cpuByThread();
            LoadGenerator.Result result = generator.run(config, target.probe());
            if (options.containsKey("threads")) {
                Map<String, Double> after = target.probe().cpuByThread();
                after.replaceAll((thread, seconds) -> seconds - threadsBefore.getOrDefault(thread, 0.0));
                after.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                        .forEach(e -> System.out.printf("  %-28s %.2f s%n", e.getKey(), e.getValue()));
            }
            return result;
        }
    }

    /**
     * The runs as a Markdown table: what was published and delivered, lost and repeated, latency
     * percentiles, and the server's CPU and memory.
     */
    static String table(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append("| target | published/s | deliveries/s | lost | repeated or late | streams dropped (resumed) | p50 | p90 | p99 | p99.9 | max "
                + "| publish p99 | server CPU | CPU µs per delivery | server RSS |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run run : runs) {
            LoadGenerator.Result r = run.result();
            Histogram h = r.latencyMicros();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %d | %d | %d | %s | %s | %s | %s | %s | %s | %.1f s | %.2f | %.0f MB |%n",
                    run.label(runs), r.publishRate(), r.deliveriesPerSecond(), r.lost(), r.outOfOrder(), r.disconnected(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), ms(r.publishRoundTripMicros().getValueAtPercentile(99)),
                    r.serverCpuSeconds(), r.cpuMicrosPerDelivery(), r.rssAfterBytes() / 1e6));
        }
        return md.toString();
    }

    /** The protocol comparisons of server CPU per delivery: which protocol, divided by which. */
    private static final List<List<Protocol>> RATIOS = List.of(
            List.of(Protocol.H2C, Protocol.H1), List.of(Protocol.H2, Protocol.H1_TLS), List.of(Protocol.H2, Protocol.H1),
            List.of(Protocol.H1_TLS, Protocol.H1), List.of(Protocol.H2, Protocol.H2C));

    /**
     * Server CPU per delivery of one protocol divided by another's, for each target and round that
     * ran both (HTTP/2 ÷ HTTP/1.1, TLS ÷ clear), and their mean over the rounds; with deliveries/s
     * and p99 latency beside.
     */
    static String protocolRatios(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        for (String target : runs.stream().map(Run::target).distinct().toList()) {
            for (List<Protocol> pair : RATIOS) {
                List<double[]> each = new ArrayList<>();
                StringBuilder rounds = new StringBuilder();
                for (int round : runs.stream().mapToInt(Run::round).distinct().toArray()) {
                    Run over = find(runs, target, pair.get(0), round);
                    Run under = find(runs, target, pair.get(1), round);
                    if (over == null || under == null || under.result().deliveries() == 0) {
                        continue;
                    }
                    double[] ratio = {
                        over.result().cpuMicrosPerDelivery() / Math.max(1e-9, under.result().cpuMicrosPerDelivery()),
                        over.result().deliveriesPerSecond() / Math.max(1e-9, under.result().deliveriesPerSecond()),
                        over.result().latencyMicros().getValueAtPercentile(99) / (double) Math.max(1, under.result().latencyMicros().getValueAtPercentile(99))};
                    each.add(ratio);
                    rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f×", ratio[0]));
                }
                if (each.isEmpty()) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "%s %s ÷ %s: CPU per delivery %.2f×%s, deliveries/s %.2f×, p99 %.2f×.%n", target,
                        pair.get(0).label(), pair.get(1).label(), mean(each, 0),
                        each.size() > 1 ? " (mean of " + rounds + ")" : "", mean(each, 1), mean(each, 2)));
            }
        }
        return md.toString();
    }

    private static Run find(List<Run> runs, String target, Protocol protocol, int round) {
        return runs.stream().filter(run -> run.target().equals(target) && run.protocol() == protocol && run.round() == round)
                .findFirst().orElse(null);
    }

    private static double mean(List<double[]> values, int index) {
        return values.stream().mapToDouble(value -> value[index]).average().orElse(Double.NaN);
    }

    static String ms(long micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1000.0) : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
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
                Duration.ofMillis(500), "warm" + System.currentTimeMillis() % 100000 + "t", 0, run.otherSubscribeUrls(), run.transport()),
                new ServerProbe(List::of));
    }

    /** Refuses a protocol the target is not set up to speak here: the peers are measured over HTTP/1.1 in clear. */
    static void checkSpeaks(String name, Protocol protocol) {
        if (protocol != Protocol.H1 && !name.equals("herald")) {
            throw new IllegalArgumentException(name + " is benchmarked over h1 only; " + protocol.label() + " is for the herald target");
        }
    }

    static Target target(String name, Protocol protocol, Map<String, String> options, Path work) {
        checkSpeaks(name, protocol);
        return switch (name) {
            case "herald" -> new HeraldTarget(Path.of(options.getOrDefault("herald-jar", "herald-server/target/herald-server.jar")),
                    18080, work, jvm(options.get("herald-jvm")), args(options.get("herald-args")), protocol.tls());
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
