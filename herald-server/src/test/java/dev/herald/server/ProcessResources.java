package dev.herald.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What this process holds, read from Linux's {@code /proc/self} and the JVM: the server runs in
 * the test's JVM, so these are the server's resources plus the test's own (compare growth, not
 * absolute values). Linux only, like the rest of the build's real-process tests.
 */
final class ProcessResources {

    private ProcessResources() {
    }

    /** Open file descriptors: sockets (both ends of a loopback connection count), files, pipes. */
    static int fileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Open file descriptors by kind ({@code socket}, {@code pipe}, {@code anon_inode}, a file...), for failure messages. */
    static Map<String, Integer> fileDescriptorKinds() {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                String kind;
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    int colon = target.indexOf(':');
                    kind = colon > 0 && !target.startsWith("/") ? target.substring(0, colon) : target;
                } catch (IOException gone) {
                    kind = "(closed while listing)";
                }
                kinds.merge(kind, 1, Integer::sum);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return kinds;
    }

    /** Resident set size in bytes ({@code VmRSS}). */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** Heap the JVM has reserved from the OS (part of RSS once touched), used or not. */
    static long heapCommitted() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** Direct memory Netty's default allocator has handed out, or -1 if it does not say. */
    static long nettyDirectBytes() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider metered ? metered.metric().usedDirectMemory() : -1;
    }

    /** Live platform threads (virtual threads are not counted: they hold no OS thread). */
    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Names of the live platform threads, digits folded so pools read as one line, for failure messages. */
    static Map<String, Integer> threadNames() {
        Map<String, Integer> names = new TreeMap<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum));
        return names;
    }

    /** Heap in use after full collections: what is still referenced. */
    static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Pages of memory the kernel holds in TCP socket buffers, machine-wide ({@code mem} of the TCP
     * line of {@code /proc/net/sockstat}): not part of any process's RSS. For reports.
     */
    static long tcpMemoryPages() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
                if (line.startsWith("TCP:")) {
                    String[] fields = line.trim().split("\\s+");
                    for (int i = 1; i + 1 < fields.length; i++) {
                        if (fields[i].equals("mem")) {
                            return Long.parseLong(fields[i + 1]);
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
