package dev.herald.bench;

import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.Protocol;
import dev.herald.bench.load.PublishMode;
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
 * Runs one scenario against one or more targets, over one or more protocols and (Herald) Netty
 * transports, one after another on the same machine, each on a fresh server, and prints what it
 * measured and a Markdown table with a row per run. The scenarios: a load (subscribers, then events
 * published for a while; with several runs also how the protocols compare), a connect storm and a
 * reconnect storm ({@link Storms}). {@code bench --help} lists the options.
 */
public final class Bench {

    /**
     * One way of running a target: the target, the protocol its subscribers speak, the Netty
     * transport the server runs on ({@code --transports}, Herald only; null for the server's
     * default), the round it belongs to.
     */
    record Variant(String target, Protocol protocol, String netty, int round) {

        /** The target, and its Netty transport when one was chosen. */
        String name() {
            return netty == null ? target : target + " " + netty;
        }

        /**
         * The target; its Netty transport, if chosen; then its protocol, when these variants have
         * several or this one is not plain HTTP/1.1; then its round, when they have several.
         */
        String label(List<Variant> among) {
            boolean protocols = among.stream().map(Variant::protocol).distinct().count() > 1;
            boolean rounds = among.stream().anyMatch(variant -> variant.round() > 1);
            return name() + (protocols || protocol != Protocol.H1 ? " " + protocol.label() : "") + (rounds ? " #" + round : "");
        }
    }

    /** One measured run of the load scenario. */
    record Run(Variant variant, LoadGenerator.Result result) {

        /** A run on the server's default Netty transport. */
        Run(String target, Protocol protocol, int round, LoadGenerator.Result result) {
            this(new Variant(target, protocol, null, round), result);
        }

        String target() {
            return variant.target();
        }

        Protocol protocol() {
            return variant.protocol();
        }

        int round() {
            return variant.round();
        }

        String label(List<Run> among) {
            return variant.label(among.stream().map(Run::variant).toList());
        }
    }

    /** What a scenario does on a target started fresh for it, with a load generator and the subscribers' transport. */
    @FunctionalInterface
    interface OnTarget<T> {
        T run(Target target, LoadGenerator generator, Transport transport) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        if (options.containsKey("help")) {
            System.out.println(HELP);
            return;
        }
        String scenario = options.getOrDefault("scenario", "load");
        List<Variant> all = variants(options, 1);
        all.forEach(variant -> checkSpeaks(variant.target(), variant.protocol()));
        Path work = Path.of(options.getOrDefault("work", "target/bench"));
        Files.createDirectories(work);
        String command = "`herald-bench/bench " + String.join(" ", args) + "`\n\n";
        String report = switch (scenario) {
            case "load" -> load(options, work);
            case "connect-storm" -> Storms.connectStorm(options, work);
            case "reconnect-storm" -> Storms.reconnectStorm(options, work);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + "; one of load, connect-storm, reconnect-storm");
        };
        if (report != null) {
            System.out.println();
            System.out.println(command + report);
            if (options.containsKey("out")) {
                Files.writeString(Path.of(options.get("out")), command + report);
            }
        }
    }

    static final String HELP = """
            bench [--scenario load|connect-storm|reconnect-storm] [--targets herald,nchan,emitter]
                  [--subscribers 1000] [--topics 1] [--rate 1000] [--duration 20s] [--payload 64]
                  [--publish-mode pipelined|paced] [--publishers 1] [--pipeline 64] [--settle 3s]
                  [--churn 0.1] [--warmup 15s] [--threads]
                  [--protocols h1,h1-tls,h2c,h2] [--streams-per-connection 100] [--h2-window 1048576]
                  [--transports io_uring,epoll,nio] [--nmt]
                  [--connect-window 1000] [--resume] [--storm-after 5s] [--storm-window 2s]
                  [--rounds 1] [--out docs/bench/FILE.md]
                  [--herald-jar herald-server/target/herald-server.jar] [--herald-jvm "-Xmx2g"] [--herald-args "..."]
                  [--work target/bench]
            targets: herald (the server jar, on Netty), herald-mvc (starter + herald-servlet in a Spring MVC app on Tomcat),
                     herald-netty (herald-netty alone), nchan, emitter (hand-written SseEmitter server)
            scenarios, each run on every target (and protocol, and transport), each on a fresh server, one table row each:
                     load             subscribers connect, then events are published for --duration (the default)
                     connect-storm    --subscribers connect to a fresh server (no warm-up unless --warmup) as fast as it
                                      accepts them, --connect-window (1000) waiting for their response at a time; reports
                                      connections/s, server CPU µs per accepted subscribe, refused or failed, then after
                                      --settle (5s) RSS per idle connection and, for JVM targets, the memory by kind
                                      (heap, direct buffers, threads and their stacks) before and after.
                                      --resume: 100 events are published to each topic first, and every subscriber
                                      connects with the Last-Event-ID of the 50th, so the server replays the other 50
                     reconnect-storm  --subscribers receive events published at --rate (100) for --duration (storm-after
                                      + storm-window + 10s, paced unless --publish-mode says otherwise); --storm-after
                                      (5s) into publishing, every subscriber drops its connection and reconnects with its
                                      Last-Event-ID, the drops spread uniformly over --storm-window (2s); reports the time
                                      until every one resumed, lost and repeated events, CPU µs per reconnect, p99 before
                                      and after
            rate: events/s in all; 0 = as fast as the target accepts; -1 = connect only (idle)
            publish-mode: pipelined  up to --pipeline requests in flight per publisher connection, written as the rate allows
                                     (the default for load)
                          paced      one request per event, written and flushed on its own at start + i/rate by a dedicated
                                     thread, over --publishers keep-alive connections, responses allowed to be outstanding
                          The tables give offered/s (what the rate called for, over the run's duration) beside
                          published/s (accepted, until the last answer came) and the share accepted.
            protocols: what subscribers speak (every target: h1; herald: all four), each run on a fresh server:
                     h1      HTTP/1.1 in clear, a connection per subscriber (the default)
                     h1-tls  HTTP/1.1 over TLS, a connection per subscriber
                     h2c     HTTP/2 in clear (prior knowledge), --streams-per-connection subscribers on each connection
                     h2      HTTP/2 over TLS (ALPN), --streams-per-connection subscribers on each connection
                   With TLS the server gets a self-signed certificate made for the run, which the load generator
                   trusts, and the publisher posts over HTTP/1.1 on the same TLS port.
            h2-window: bytes of flow-control window each HTTP/2 stream grants the server (the connection's is
                   this times the streams on it); 1 MiB by default, so flow control never paces a stream that is read
            transports: runs the herald target once per Netty transport (--herald.netty.transport=X); other targets once
            nmt: runs the Herald JVMs with -XX:NativeMemoryTracking=summary, for thread stacks and NMT totals in the
                   memory breakdown (it costs a little CPU and memory, so it is off by default)
            rounds: runs every target and protocol N times, in reverse order every other round (drift on a
                   shared machine then falls on each in turn), and reports each round's ratios and their mean
            out: also writes the table(s) to this Markdown file""";

    /** The load scenario: each variant in turn, each round; the table and, with several runs, how the protocols compare. */
    private static String load(Map<String, String> options, Path work) throws Exception {
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Variant variant : variants(options, round)) {
                LoadGenerator.Result result = measure(variant, options, work, target -> loadConfig(target, options, 1000, "pipelined",
                        duration(options.getOrDefault("duration", "20s")), duration(options.getOrDefault("settle", "3s"))));
                Run run = new Run(variant, result);
                runs.add(run);
                System.out.println(run.label(List.of(run)) + (rounds > 1 ? " #" + round : "") + ": " + describe(result));
            }
        }
        return runs.size() > 1 || options.containsKey("out") ? table(runs) + "\n" + protocolRatios(runs) : null;
    }

    /**
     * The variants of a round, in order: each target, each protocol, and for Herald each Netty
     * transport of {@code --transports}; every other round in reverse.
     */
    static List<Variant> variants(Map<String, String> options, int round) {
        List<String> targets = new ArrayList<>(List.of(options.getOrDefault("targets", "herald").split(",")));
        List<Protocol> protocols = new ArrayList<>(Stream.of(options.getOrDefault("protocols", "h1").split(",")).map(Protocol::of).toList());
        List<String> transports = options.containsKey("transports")
                ? new ArrayList<>(List.of(options.get("transports").split(","))) : new ArrayList<>(Collections.singletonList(null));
        if (round % 2 == 0) {
            Collections.reverse(targets);
            Collections.reverse(protocols);
            Collections.reverse(transports);
        }
        List<Variant> variants = new ArrayList<>();
        for (String target : targets) {
            for (Protocol protocol : protocols) {
                for (String netty : target.equals("herald") ? transports : Collections.<String>singletonList(null)) {
                    variants.add(new Variant(target, protocol, netty, round));
                }
            }
        }
        return variants;
    }

    /**
     * The load the options describe on this target, with these defaults for the rate, the publish
     * mode, the duration and the settle.
     */
    static LoadGenerator.Config loadConfig(Target target, Map<String, String> options, double defaultRate, String defaultMode,
            Duration defaultDuration, Duration defaultSettle) {
        return new LoadGenerator.Config(target.subscribeUrl(), target.publishUrl(), target.publishFormat(),
                Integer.parseInt(options.getOrDefault("subscribers", "1000")),
                Integer.parseInt(options.getOrDefault("topics", "1")),
                Double.parseDouble(options.getOrDefault("rate", Double.toString(defaultRate))),
                options.containsKey("duration") ? duration(options.get("duration")) : defaultDuration,
                Integer.parseInt(options.getOrDefault("payload", "64")),
                Integer.parseInt(options.getOrDefault("publishers", "1")),
                Integer.parseInt(options.getOrDefault("pipeline", "64")),
                options.containsKey("settle") ? duration(options.get("settle")) : defaultSettle,
                "run" + System.currentTimeMillis() % 100000 + "t",
                Double.parseDouble(options.getOrDefault("churn", "0")))
                .with(PublishMode.of(options.getOrDefault("publish-mode", defaultMode)));
    }

    /**
     * Starts the target fresh for the protocol, warms it up with its load, measures the load, prints
     * the target's busiest threads if {@code --threads} asks, and stops the target.
     */
    static LoadGenerator.Result measure(String name, Protocol protocol, Map<String, String> options, Path work,
            Function<Target, LoadGenerator.Config> load) throws Exception {
        return measure(new Variant(name, protocol, null, 1), options, work, load);
    }

    /** As {@link #measure(String, Protocol, Map, Path, Function)}, on the variant's Netty transport. */
    static LoadGenerator.Result measure(Variant variant, Map<String, String> options, Path work,
            Function<Target, LoadGenerator.Config> load) throws Exception {
        return onFreshTarget(variant, options, work, (target, generator, transport) -> {
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
        });
    }

    /**
     * Starts the variant's target fresh (on its Netty transport, for Herald), runs the scenario on it
     * with a load generator of its own and the subscribers' transport, and stops the target.
     */
    static <T> T onFreshTarget(Variant variant, Map<String, String> options, Path work, OnTarget<T> scenario) throws Exception {
        try (Target target = target(variant.target(), variant.protocol(), variant.netty(), options, work.resolve(variant.target()));
                LoadGenerator generator = new LoadGenerator(2)) {
            target.start();
            Transport transport = new Transport(variant.protocol(), Integer.parseInt(options.getOrDefault("streams-per-connection", "100")),
                    Integer.parseInt(options.getOrDefault("h2-window", Integer.toString(Transport.DEFAULT_HTTP2_WINDOW))),
                    target.certificate().orElse(null));
            return scenario.run(target, generator, transport);
        }
    }

    /**
     * The runs as a Markdown table: what was offered, published (accepted) and delivered, lost and
     * repeated, latency percentiles, and the server's CPU and memory.
     */
    static String table(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append("| target | publish mode | offered/s | published/s | accepted | deliveries/s | lost | repeated or late | streams dropped (resumed) "
                + "| p50 | p90 | p99 | p99.9 | max | publish p99 | server CPU | CPU µs per delivery | server RSS |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run run : runs) {
            LoadGenerator.Result r = run.result();
            Histogram h = r.latencyMicros();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %s | %.0f | %d | %d | %d | %s | %s | %s | %s | %s | %s | %.1f s | %.2f | %.0f MB |%n",
                    run.label(runs), r.publishMode().label(), r.offeredRate(), r.publishRate(), percent(r.acceptedShare()),
                    r.deliveriesPerSecond(), r.lost(), r.outOfOrder(), r.disconnected(),
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
        for (String target : runs.stream().map(run -> run.variant().name()).distinct().toList()) {
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
        return runs.stream().filter(run -> run.variant().name().equals(target) && run.protocol() == protocol && run.round() == round)
                .findFirst().orElse(null);
    }

    private static double mean(List<double[]> values, int index) {
        return values.stream().mapToDouble(value -> value[index]).average().orElse(Double.NaN);
    }

    /** A share as a percentage: {@code 100%} only when it is whole. */
    static String percent(double share) {
        return share >= 1 ? "100%" : String.format(Locale.ROOT, "%.1f%%", Math.floor(share * 1000) / 10);
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
                Duration.ofMillis(500), "warm" + System.currentTimeMillis() % 100000 + "t", 0, run.otherSubscribeUrls(), run.transport(),
                run.publishMode()),
                new ServerProbe(List::of));
    }

    /** Refuses a protocol the target is not set up to speak here: the peers are measured over HTTP/1.1 in clear. */
    static void checkSpeaks(String name, Protocol protocol) {
        if (protocol != Protocol.H1 && !name.equals("herald")) {
            throw new IllegalArgumentException(name + " is benchmarked over h1 only; " + protocol.label() + " is for the herald target");
        }
    }

    /**
     * The target of this name, for the protocol; Herald's server on the Netty transport named (null
     * for its default); Herald's JVMs with Native Memory Tracking if {@code --nmt}.
     */
    static Target target(String name, Protocol protocol, String netty, Map<String, String> options, Path work) {
        checkSpeaks(name, protocol);
        List<String> heraldJvm = new ArrayList<>(jvm(options.get("herald-jvm")));
        if (options.containsKey("nmt")) {
            heraldJvm.add("-XX:NativeMemoryTracking=summary");
        }
        List<String> heraldArgs = new ArrayList<>(args(options.get("herald-args")));
        if (netty != null) {
            heraldArgs.add("--herald.netty.transport=" + netty);
        }
        return switch (name) {
            case "herald" -> new HeraldTarget(Path.of(options.getOrDefault("herald-jar", "herald-server/target/herald-server.jar")),
                    18080, work, heraldJvm, heraldArgs, protocol.tls());
            case "herald-netty" -> new NettyTarget(18083, work, heraldJvm);
            case "herald-mvc" -> new MvcTarget(18084, work, heraldJvm);
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
        return String.format("connected %d/%d (refused %d) in %.2fs; %s: offered %d, published %d (rejected %d) at %.0f/s%s; "
                        + "delivered %d of %d (lost %d, out of order %d, dropped by the server and resumed %d, churned %d) at %.0f/s; "
                        + "latency us p50 %d p90 %d p99 %d p99.9 %d max %d; publish round trip us p50 %d p99 %d; server cpu %.2fs = %.2f us/delivery; "
                        + "rss before %.1f MB, idle %.1f MB (%.0f B/conn), after %.1f MB",
                r.connected(), r.subscribers(), r.refused(), r.connectSeconds(), r.publishMode().label(), r.offered(), r.published(),
                r.rejected(), r.publishRate(), pacing(r.pacingLatenessMicros()),
                r.deliveries(), r.expectedDeliveries(), r.lost(), r.outOfOrder(), r.disconnected(), r.reconnects(), r.deliveriesPerSecond(),
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9), latency.getMaxValue(), r.publishRoundTripMicros().getValueAtPercentile(50),
                r.publishRoundTripMicros().getValueAtPercentile(99), r.serverCpuSeconds(), r.cpuMicrosPerDelivery(),
                r.rssBeforeBytes() / 1e6, r.rssIdleBytes() / 1e6, r.bytesPerConnection(), r.rssAfterBytes() / 1e6);
    }

    /** How late the paced publisher sent its events, or nothing when it did not pace. */
    static String pacing(Histogram lateness) {
        return lateness.getTotalCount() == 0 ? "" : String.format(Locale.ROOT, " (sent after their due time by p50 %d us, p99 %d us, max %d us)",
                lateness.getValueAtPercentile(50), lateness.getValueAtPercentile(99), lateness.getMaxValue());
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
