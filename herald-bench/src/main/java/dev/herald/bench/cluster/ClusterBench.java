package dev.herald.bench.cluster;

import dev.herald.bench.Bench;
import dev.herald.bench.load.LoadGenerator;
import dev.herald.bench.load.ServerProbe;
import dev.herald.bench.load.UrlTemplate;
import dev.herald.bench.target.HeraldTarget;
import dev.herald.bench.target.RedisProcess;
import dev.herald.bench.target.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Cluster fan-out: one redis-server and N server jars in cluster mode on this machine, the
 * subscribers spread over the nodes round robin, the publisher posting to the first node, so most
 * deliveries cross Redis. Reports deliveries per second, publish-to-receive latency and CPU per
 * delivery (every node and Redis together), with one node without Redis as the baseline.
 *
 * <pre>
 * herald-bench/bench --main dev.herald.bench.cluster.ClusterBench --nodes 1,2,3 --subscribers 3000 --rate 1000
 * </pre>
 */
public final class ClusterBench {

    private static final int FIRST_NODE_PORT = 18090;
    private static final int REDIS_PORT = 16379;

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Bench.parse(args);
        List<Integer> sizes = List.of(options.getOrDefault("nodes", "1,2,3").split(",")).stream().map(Integer::parseInt).toList();
        int subscribers = Integer.parseInt(options.getOrDefault("subscribers", "3000"));
        double rate = Double.parseDouble(options.getOrDefault("rate", "1000"));
        Duration duration = Bench.duration(options.getOrDefault("duration", "20s"));
        String fsync = options.getOrDefault("appendfsync", "everysec");
        Path jar = Path.of(options.getOrDefault("herald-jar", "herald-server/target/herald-server.jar"));
        Path work = Path.of(options.getOrDefault("work", "target/bench/cluster"));
        Path out = Path.of(options.getOrDefault("out", "docs/bench"));
        Files.createDirectories(out);

        Map<String, Row> rows = new LinkedHashMap<>();
        if (!options.containsKey("no-baseline")) {
            rows.put("1 node, no Redis", run(0, jar, work.resolve("baseline"), subscribers, rate, duration, fsync, options));
        }
        for (int size : sizes) {
            rows.put(size + (size == 1 ? " node" : " nodes") + " on Redis",
                    run(size, jar, work.resolve("nodes-" + size), subscribers, rate, duration, fsync, options));
        }
        String report = report(rows, subscribers, rate, duration, fsync);
        Files.writeString(out.resolve("cluster-" + subscribers + "x" + (long) rate + ".md"), report);
        System.out.println(report);
    }

    /** One run: {@code nodes} cluster nodes on a fresh Redis, or (zero) one node with in-memory history. */
    private static Row run(int nodes, Path jar, Path work, int subscribers, double rate, Duration duration, String fsync,
            Map<String, String> options) throws Exception {
        System.out.printf("%s: %s...%n", Instant.now(), nodes == 0 ? "baseline" : nodes + " nodes");
        RedisProcess redis = nodes == 0 ? null : new RedisProcess(REDIS_PORT, work.resolve("redis"), fsync);
        List<HeraldTarget> targets = new ArrayList<>();
        try (LoadGenerator load = new LoadGenerator(2)) {
            for (int i = 0; i < Math.max(1, nodes); i++) {
                List<String> args = redis == null ? List.of()
                        : List.of("--herald.redis.url=" + redis.uri(), "--herald.redis.node=node" + i);
                HeraldTarget node = new HeraldTarget(jar, FIRST_NODE_PORT + i, work.resolve("node" + i), List.of("-Xmx1g"), args);
                targets.add(node);
                node.start();
            }
            List<UrlTemplate> others = targets.stream().skip(1).map(Target::subscribeUrl).toList();
            LoadGenerator.Config config = new LoadGenerator.Config(targets.getFirst().subscribeUrl(), targets.getFirst().publishUrl(),
                    targets.getFirst().publishFormat(), subscribers, 1, rate, duration, 64, 1, 64, Duration.ofSeconds(3),
                    "c" + System.currentTimeMillis() % 100000 + "t", 0, others);
            Bench.warmUp(load, config, options);
            List<ServerProbe> probes = new ArrayList<>(targets.stream().map(Target::probe).toList());
            ServerProbe redisProbe = redis == null ? new ServerProbe(List::of) : ServerProbe.processTree(redis.pid());
            probes.add(redisProbe);
            double redisCpuBefore = redisProbe.cpuSeconds();
            LoadGenerator.Result result = load.run(config, ServerProbe.all(probes));
            double redisCpu = redisProbe.cpuSeconds() - redisCpuBefore;
            System.out.println("  " + Bench.describe(result) + String.format("; redis cpu %.2fs", redisCpu));
            return new Row(Math.max(1, nodes), result, redisCpu);
        } finally {
            targets.forEach(Target::close);
            if (redis != null) {
                redis.close();
            }
        }
    }

    private record Row(int nodes, LoadGenerator.Result result, double redisCpuSeconds) {
    }

    private static String report(Map<String, Row> rows, int subscribers, double rate, Duration duration, String fsync) {
        StringBuilder md = new StringBuilder();
        md.append("### Cluster fan-out: ").append(subscribers).append(" subscribers spread over the nodes, ")
                .append((long) rate).append(" events/s published to the first node, ").append(duration.toSeconds())
                .append(" s (Redis AOF, appendfsync ").append(fsync).append(")\n\n");
        md.append("| setup | published/s | deliveries/s | lost | latency p50 | p99 | p99.9 | publish round trip p99 "
                + "| CPU µs/delivery (nodes + Redis) | Redis CPU |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        rows.forEach((name, row) -> {
            LoadGenerator.Result r = row.result();
            Histogram latency = r.latencyMicros();
            md.append(String.format("| %s | %.0f | %,.0f | %d | %s | %s | %s | %s | %.2f | %.1f%% |%n", name, r.publishRate(),
                    r.deliveriesPerSecond(), r.lost(), ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)),
                    ms(latency.getValueAtPercentile(99.9)), ms(r.publishRoundTripMicros().getValueAtPercentile(99)),
                    r.cpuMicrosPerDelivery(), 100 * row.redisCpuSeconds() / Math.max(1e-9, r.serverCpuSeconds())));
        });
        md.append("\nLatency is from the publisher's send to a subscriber's receipt; every process (nodes, Redis, the load generator)"
                + " shares this machine's 2 cores.\n");
        return md.toString();
    }

    private static String ms(long micros) {
        return micros < 10_000 ? String.format("%.2f ms", micros / 1000.0) : String.format("%,d ms", micros / 1000);
    }
}
