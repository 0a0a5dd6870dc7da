package dev.herald.bench.load;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads a server's CPU time and resident memory from {@code /proc}, summed over its processes (a
 * JVM is one; nginx is a master and its workers); for a JVM, also its memory by kind
 * ({@link #memory()}).
 */
public final class ServerProbe {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Supplier<List<Long>> pids;
    /** The JVM to read by kind, or 0 for a server that is not one. */
    private final long jvmPid;
    private final URI prometheus;

    public ServerProbe(Supplier<List<Long>> pids) {
        this(pids, 0, null);
    }

    private ServerProbe(Supplier<List<Long>> pids, long jvmPid, URI prometheus) {
        this.pids = pids;
        this.jvmPid = jvmPid;
        this.prometheus = prometheus;
    }

    /** One probe over the processes of several: CPU and memory summed. */
    public static ServerProbe all(List<ServerProbe> probes) {
        return new ServerProbe(() -> probes.stream().flatMap(probe -> probe.pids.get().stream()).toList());
    }

    /** A probe for one process and its children. */
    public static ServerProbe processTree(long rootPid) {
        return new ServerProbe(() -> withChildren(rootPid));
    }

    /**
     * A probe for a JVM (and its children), whose memory it also reads by kind; with its Prometheus
     * scrape at {@code prometheus} for the direct buffers, if not null.
     */
    public static ServerProbe jvm(long pid, URI prometheus) {
        return new ServerProbe(() -> withChildren(pid), pid, prometheus);
    }

    /**
     * The server's memory: its RSS and, for a JVM, its heap, direct buffers, threads and their
     * stacks (NMT figures only when it runs with {@code -XX:NativeMemoryTracking=summary}). Runs a
     * full GC in a JVM, to read its live heap: call it between measurements, not during one.
     */
    public MemoryBreakdown memory() {
        long rss = rssBytes();
        return jvmPid == 0 ? MemoryBreakdown.rssOnly(rss) : JvmMemory.read(jvmPid, rss, prometheus);
    }

    /** CPU seconds (user + system) used so far. */
    public double cpuSeconds() {
        long ticks = 0;
        for (long pid : pids.get()) {
            String[] fields = statFields(pid);
            if (fields != null) {
                ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            }
        }
        return ticks / (double) TICKS_PER_SECOND;
    }

    /** Resident set size in bytes. */
    public long rssBytes() {
        long kb = 0;
        for (long pid : pids.get()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("\\D+", ""));
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return kb * 1024;
    }

    /** CPU seconds per thread name (threads of the same name summed), for finding where time goes. */
    public java.util.Map<String, Double> cpuByThread() {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        for (long pid : pids.get()) {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                tasks.forEach(task -> {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int close = stat.lastIndexOf(')');
                        String name = stat.substring(stat.indexOf('(') + 1, close).replaceAll("[0-9]+$", "#");
                        String[] rest = stat.substring(close + 2).split(" ");
                        out.merge(name + " user", Long.parseLong(rest[11]) / (double) TICKS_PER_SECOND, Double::sum);
                        out.merge(name + " sys", Long.parseLong(rest[12]) / (double) TICKS_PER_SECOND, Double::sum);
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended
                    }
                });
            } catch (IOException gone) {
                // the process ended
            }
        }
        return out;
    }

    static List<Long> withChildren(long root) {
        List<Long> out = new ArrayList<>();
        out.add(root);
        try (var dirs = Files.list(Path.of("/proc"))) {
            dirs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(name -> {
                String[] fields = statFields(Long.parseLong(name));
                if (fields != null && Long.parseLong(fields[3]) == root) {
                    out.add(Long.parseLong(name));
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The fields of /proc/PID/stat, with the command name (which may hold spaces) as field 1. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            String[] rest = stat.substring(close + 2).split(" ");
            String[] fields = new String[rest.length + 2];
            fields[0] = Long.toString(pid);
            fields[1] = stat.substring(stat.indexOf('(') + 1, close);
            System.arraycopy(rest, 0, fields, 2, rest.length);
            return fields;
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
