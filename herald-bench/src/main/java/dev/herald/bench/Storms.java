package dev.herald.bench;

import dev.herald.bench.load.ConnectStorm;
import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.MemoryBreakdown;
import dev.herald.bench.load.ReconnectStorm;
import dev.herald.bench.load.ServerProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * The storm scenarios of {@link Bench}: the connect storm ({@link ConnectStorm}) and the reconnect
 * storm ({@link ReconnectStorm}), each run on every variant (target, protocol, Netty transport),
 * each on a fresh server, and their Markdown tables, a row per run, so that Herald and its peers are
 * read side by side from one run of the benchmark.
 */
final class Storms {

    /** One variant's result. */
    record Measured<R>(Bench.Variant variant, R result) {

        static <R> String label(Measured<R> run, List<? extends Measured<?>> among) {
            return run.variant().label(among.stream().map(Measured::variant).toList());
        }
    }

    private Storms() {
    }

    /**
     * The connect storm on each variant: no warm-up unless {@code --warmup} asks (then that long of
     * connecting and closing up to 2,000 subscribers); the table of rates, CPU and memory per
     * connection, and the memory by kind.
     */
    static String connectStorm(Map<String, String> options, Path work) throws Exception {
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
        int window = Integer.parseInt(options.getOrDefault("connect-window", "1000"));
        boolean resume = options.containsKey("resume");
        Duration warmup = Bench.duration(options.getOrDefault("warmup", "0s"));
        List<Measured<ConnectStorm.Result>> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Bench.Variant variant : Bench.variants(options, round)) {
                ConnectStorm.Result result = Bench.onFreshTarget(variant, options, work, (target, generator, transport) -> {
                    LoadGenerator.Config shape = Bench.loadConfig(target, options, -1, "pipelined", Duration.ZERO, Duration.ofSeconds(5))
                            .with(transport);
                    connectWarmUp(generator, shape, warmup);
                    return ConnectStorm.run(generator, new ConnectStorm.Config(shape, window, resume), target.probe());
                });
                Measured<ConnectStorm.Result> run = new Measured<>(variant, result);
                runs.add(run);
                System.out.println(Measured.label(run, List.of(run)) + ": " + describe(result));
            }
        }
        return connectTable(runs) + "\n" + memoryTable(runs);
    }

    /**
     * The reconnect storm on each variant, warmed up with its own load (as the load scenario is),
     * published paced at 100 events/s unless the options say otherwise.
     */
    static String reconnectStorm(Map<String, String> options, Path work) throws Exception {
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
        int connectWindow = Integer.parseInt(options.getOrDefault("connect-window", "1000"));
        Duration after = Bench.duration(options.getOrDefault("storm-after", "5s"));
        Duration window = Bench.duration(options.getOrDefault("storm-window", "2s"));
        Duration duration = options.containsKey("duration") ? Bench.duration(options.get("duration")) : after.plus(window).plusSeconds(10);
        if (after.plus(window).plusSeconds(1).compareTo(duration) > 0) {
            throw new IllegalArgumentException("--duration " + duration.toSeconds() + "s must last past the storm's end (--storm-after + "
                    + "--storm-window = " + after.plus(window).toSeconds() + "s) by a second at least");
        }
        List<Measured<ReconnectStorm.Result>> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Bench.Variant variant : Bench.variants(options, round)) {
                ReconnectStorm.Result result = Bench.onFreshTarget(variant, options, work, (target, generator, transport) -> {
                    LoadGenerator.Config shape = Bench.loadConfig(target, options, 100, "paced", duration, Duration.ofSeconds(3))
                            .with(transport);
                    Bench.warmUp(generator, shape, options);
                    return ReconnectStorm.run(generator, new ReconnectStorm.Config(shape, connectWindow, after, window), target.probe());
                });
                Measured<ReconnectStorm.Result> run = new Measured<>(variant, result);
                runs.add(run);
                System.out.println(Measured.label(run, List.of(run)) + ": " + describe(result));
            }
        }
        return reconnectTable(runs);
    }

    /**
     * Warms a connect storm's target up when asked: for {@code length}, connects up to 2,000 of its
     * subscribers and closes them again (at most 100 times), then lets the closes finish.
     */
    private static void connectWarmUp(LoadGenerator generator, LoadGenerator.Config shape, Duration length) throws InterruptedException {
        if (length.isZero()) {
            return;
        }
        long end = System.nanoTime() + length.toNanos();
        for (int cycle = 0; cycle < 100 && System.nanoTime() < end; cycle++) {
            generator.run(new LoadGenerator.Config(shape.subscribeUrl(), shape.publishUrl(), shape.format(), Math.min(shape.subscribers(), 2000),
                    Math.min(shape.topics(), 200), -1, Duration.ZERO, shape.payloadBytes(), 1, 64, Duration.ZERO,
                    "warm" + System.currentTimeMillis() % 100000 + "t", 0, shape.otherSubscribeUrls(), shape.transport(), shape.publishMode()),
                    new ServerProbe(List::of));
        }
        Thread.sleep(1000);
    }

    static String describe(ConnectStorm.Result r) {
        return String.format(Locale.ROOT, "connected %d/%d (refused or failed %d) in %.2fs = %.0f/s; server cpu %.2fs = %.0f us per subscribe; %s"
                        + "rss before %.1f MB, after %.1f MB (%.0f B per connection); heap live %s -> %s, direct %s -> %s, threads %s -> %s",
                r.connected(), r.subscribers(), r.refused(), r.connectSeconds(), r.connectionsPerSecond(), r.cpuSeconds(), r.cpuMicrosPerSubscribe(),
                r.resume() ? String.format(Locale.ROOT, "replayed %d of %d (repeated %d); ", r.replayed(), r.replayExpected(), r.replayRepeated()) : "",
                r.before().rssBytes() / 1e6, r.after().rssBytes() / 1e6, r.rssPerConnection(),
                mb(r.before().heapUsedBytes()), mb(r.after().heapUsedBytes()), mb(r.before().directBytes()), mb(r.after().directBytes()),
                count(r.before().threads()), count(r.after().threads()));
    }

    static String describe(ReconnectStorm.Result r) {
        Histogram resume = r.resumeMicros();
        return String.format(Locale.ROOT, "connected %d/%d (refused %d) in %.2fs; %s: offered %d, published %d (rejected %d) at %.0f/s%s; "
                        + "dropped %d, resumed %d, all resumed %s after the first drop (each: p50 %s, p99 %s, max %s); "
                        + "delivered %d of %d (lost %d, repeated %d, dropped by the server %d); storm cpu %.2fs in %.2fs "
                        + "(steady %.2f cpu-s/s) = %.0f us per reconnect, %.0f above steady; latency p99 before %s, after %s, overall %s",
                r.connected(), r.subscribers(), r.refused(), r.connectSeconds(), r.publishMode().label(), r.offered(), r.published(), r.rejected(),
                r.publishRate(), Bench.pacing(r.pacingLatenessMicros()),
                r.stormed(), r.resumed(), seconds(r.recoverySeconds()), Bench.ms(resume.getValueAtPercentile(50)),
                Bench.ms(resume.getValueAtPercentile(99)), Bench.ms(resume.getMaxValue()),
                r.deliveries(), r.expected(), r.lost(), r.repeated(), r.serverDrops(), r.stormCpuSeconds(), r.stormSeconds(),
                r.steadyCpuPerSecond(), r.cpuMicrosPerReconnect(), r.cpuMicrosPerReconnectAboveSteady(),
                p99(r.latencyBefore()), p99(r.latencyAfter()), p99(r.latency()));
    }

    /** The connect storms: a row per run. */
    static String connectTable(List<Measured<ConnectStorm.Result>> runs) {
        boolean resume = runs.stream().anyMatch(run -> run.result().resume());
        StringBuilder md = new StringBuilder();
        md.append("| target | connected | refused or failed | connect phase | connections/s | server CPU | CPU µs per subscribe"
                + (resume ? " | replayed (expected) | repeated" : "") + " | RSS before | RSS after | RSS per connection |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|" + (resume ? "---:|---:|" : "") + "---:|---:|---:|\n");
        for (Measured<ConnectStorm.Result> run : runs) {
            ConnectStorm.Result r = run.result();
            md.append(String.format(Locale.ROOT, "| %s | %d/%d | %d | %.2f s | %.0f | %.2f s | %.0f |", Measured.label(run, runs), r.connected(),
                    r.subscribers(), r.refused(), r.connectSeconds(), r.connectionsPerSecond(), r.cpuSeconds(), r.cpuMicrosPerSubscribe()));
            if (resume) {
                md.append(String.format(Locale.ROOT, " %d (%d) | %d |", r.replayed(), r.replayExpected(), r.replayRepeated()));
            }
            md.append(String.format(Locale.ROOT, " %.1f MB | %.1f MB | %.0f B |%n", r.before().rssBytes() / 1e6, r.after().rssBytes() / 1e6,
                    r.rssPerConnection()));
        }
        return md.toString();
    }

    /**
     * The server's memory by kind, before the connect storm (fresh, no connection), after it (every
     * subscriber connected and idle), and the difference per connection. "—" where the target does
     * not tell: nginx; NMT's columns without {@code --nmt}.
     */
    static String memoryTable(List<Measured<ConnectStorm.Result>> runs) {
        StringBuilder md = new StringBuilder();
        md.append("Memory by kind: RSS first, then the rest after a full GC: heap used is the live set; direct buffers from the "
                + "server's Prometheus scrape (jvm_buffer_memory_used_bytes, id=direct); with --nmt, NMT's Other (direct and Unsafe "
                + "memory), thread stacks (committed) and native (all NMT tracks but the Java heap, committed).\n\n");
        md.append("| target | when | RSS | heap used | heap committed | direct buffers | NMT Other | threads | thread stacks | native (NMT) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measured<ConnectStorm.Result> run : runs) {
            ConnectStorm.Result r = run.result();
            String label = Measured.label(run, runs);
            md.append(memoryRow(label, "before (0 connections)", r.before()));
            md.append(memoryRow(label, "after (" + r.connected() + " connections)", r.after()));
            MemoryBreakdown b = r.before();
            MemoryBreakdown a = r.after();
            int n = r.connected();
            md.append(String.format(Locale.ROOT, "| %s | per connection | %s | %s | %s | %s | %s | %s | %s | %s |%n", label,
                    perConnection(a, b, n, MemoryBreakdown::rssBytes), perConnection(a, b, n, MemoryBreakdown::heapUsedBytes),
                    perConnection(a, b, n, MemoryBreakdown::heapCommittedBytes), perConnection(a, b, n, MemoryBreakdown::directBytes),
                    perConnection(a, b, n, MemoryBreakdown::nmtOtherBytes),
                    a.threads() < 0 || b.threads() < 0 ? "—" : String.format(Locale.ROOT, "%+d in all", a.threads() - b.threads()),
                    perConnection(a, b, n, MemoryBreakdown::threadStackBytes), perConnection(a, b, n, MemoryBreakdown::nativeBytes)));
        }
        return md.toString();
    }

    private static String memoryRow(String label, String when, MemoryBreakdown m) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", label, when, mb(m.rssBytes()),
                mb(m.heapUsedBytes()), mb(m.heapCommittedBytes()), mb(m.directBytes()), mb(m.nmtOtherBytes()), count(m.threads()),
                mb(m.threadStackBytes()), mb(m.nativeBytes()));
    }

    /** The reconnect storms: a row per run. */
    static String reconnectTable(List<Measured<ReconnectStorm.Result>> runs) {
        StringBuilder md = new StringBuilder();
        md.append("| target | publish mode | offered/s | published/s | accepted | subscribers dropped | resumed | all resumed after "
                + "| resume p50 | resume p99 | lost | repeated or late | streams dropped by the server | CPU µs per reconnect "
                + "| above steady | p99 before | p99 after | p99 overall |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measured<ReconnectStorm.Result> run : runs) {
            ReconnectStorm.Result r = run.result();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %s | %d | %d | %s | %s | %s | %d | %d | %d | %.0f | %.0f | %s | %s | %s |%n",
                    Measured.label(run, runs), r.publishMode().label(), r.offeredRate(), r.publishRate(), Bench.percent(r.acceptedShare()),
                    r.stormed(), r.resumed(), seconds(r.recoverySeconds()),
                    Bench.ms(r.resumeMicros().getValueAtPercentile(50)), Bench.ms(r.resumeMicros().getValueAtPercentile(99)),
                    r.lost(), r.repeated(), r.serverDrops(), r.cpuMicrosPerReconnect(), r.cpuMicrosPerReconnectAboveSteady(),
                    p99(r.latencyBefore()), p99(r.latencyAfter()), p99(r.latency())));
        }
        return md.toString();
    }

    private static String perConnection(MemoryBreakdown after, MemoryBreakdown before, int connections, ToLongFunction<MemoryBreakdown> kind) {
        long a = kind.applyAsLong(after);
        long b = kind.applyAsLong(before);
        if (a < 0 || b < 0 || connections == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.0f B", (a - b) / (double) connections);
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "—" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String count(int value) {
        return value < 0 ? "—" : Integer.toString(value);
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "not all" : String.format(Locale.ROOT, "%.2f s", value);
    }

    private static String p99(Histogram latency) {
        return latency.getTotalCount() == 0 ? "—" : Bench.ms(latency.getValueAtPercentile(99));
    }
}
