package dev.herald.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server JVM's memory by kind, from outside: {@code jcmd} (Native Memory Tracking's summary
 * when the JVM runs with {@code -XX:NativeMemoryTracking=summary}; the heap after a full GC),
 * {@code /proc/PID/status} for its threads, and its Prometheus scrape, when it has one, for the
 * JDK's direct buffers. Each read is bounded in time; what cannot be read is {@code -1}.
 */
final class JvmMemory {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern NMT_TOTAL = Pattern.compile("(?m)^Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_STACK = Pattern.compile("\\(stack: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern HEAP = Pattern.compile("committed (\\d+)K, used (\\d+)K");

    private JvmMemory() {
    }

    /**
     * Reads the JVM {@code pid}; {@code rssBytes} is its resident set, read before (the full GC this
     * starts with would move it). Everything else is read after that GC, so that the heap is the
     * live set and NMT's figures agree with it. {@code prometheus} may be null.
     */
    static MemoryBreakdown read(long pid, long rssBytes, URI prometheus) {
        jcmd(pid, "GC.run");
        long[] heap = heapInfo(jcmd(pid, "GC.heap_info"));
        String nmt = jcmd(pid, "VM.native_memory", "summary");
        long direct = prometheus == null ? -1 : prometheusValue(scrape(prometheus), "jvm_buffer_memory_used_bytes", "id=\"direct\"");
        long total = nmtTotalCommitted(nmt);
        long javaHeap = nmtCommitted(nmt, "Java Heap");
        return new MemoryBreakdown(rssBytes, heap[1], heap[0], direct, nmtCommitted(nmt, "Other"), threads(pid), nmtStackCommitted(nmt),
                total < 0 || javaHeap < 0 ? -1 : total - javaHeap);
    }

    /** NMT's committed bytes of a category ("Other", "Thread", "Java Heap"), or -1 when the summary has none. */
    static long nmtCommitted(String summary, String category) {
        Matcher m = Pattern.compile("(?m)^-\\s+" + Pattern.quote(category) + " \\(reserved=\\d+KB, committed=(\\d+)KB").matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /** NMT's total committed bytes, or -1 when tracking is off. */
    static long nmtTotalCommitted(String summary) {
        Matcher m = NMT_TOTAL.matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /** NMT's committed bytes of thread stacks, or -1 when tracking is off. */
    static long nmtStackCommitted(String summary) {
        Matcher m = NMT_STACK.matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /** {committed, used} bytes of the heap from {@code GC.heap_info}, or -1s. */
    static long[] heapInfo(String heapInfo) {
        Matcher m = HEAP.matcher(heapInfo);
        return m.find() ? new long[] {Long.parseLong(m.group(1)) * 1024, Long.parseLong(m.group(2)) * 1024} : new long[] {-1, -1};
    }

    /** The first sample of the metric whose labels contain {@code label}, or -1. */
    static long prometheusValue(String scrape, String name, String label) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                try {
                    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended
        }
        return -1;
    }

    private static String scrape(URI prometheus) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(prometheus).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** jcmd's output, or "" when it fails or takes too long. */
    private static String jcmd(long pid, String... command) {
        Path jcmd = ProcessHandle.current().info().command().map(java -> Path.of(java).resolveSibling("jcmd")).orElse(Path.of("jcmd"));
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Path out = null;
        try {
            // To a file, not a pipe: reading a pipe would wait for a jcmd that hangs past the timeout.
            out = Files.createTempFile("bench-jcmd", ".txt");
            Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return "";
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }
}
