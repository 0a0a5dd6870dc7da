package dev.herald.bench.load;

/**
 * A server's memory at one moment, by kind; {@code -1} where the server does not tell (a process
 * that is not a JVM; NMT off; no Prometheus scrape).
 *
 * @param rssBytes           resident set, every process of the server
 * @param heapUsedBytes      Java heap in use after a full GC (the live set): {@code jcmd GC.run},
 *                           then {@code GC.heap_info}; every figure but the RSS is read after that GC
 * @param heapCommittedBytes Java heap committed, as {@code GC.heap_info} reads it after that GC
 * @param directBytes        the JDK's direct buffers, where Netty's pooled memory lives on this JDK
 *                           ({@code jvm_buffer_memory_used_bytes{id="direct"}} of the server's
 *                           {@code /actuator/prometheus})
 * @param nmtOtherBytes      Native Memory Tracking's "Other" committed: direct buffers and other
 *                           {@code Unsafe} allocations, whichever way Netty allocates
 * @param threads            the process's threads ({@code /proc/PID/status})
 * @param threadStackBytes   thread stacks committed (NMT)
 * @param nativeBytes        everything NMT tracks but the Java heap, committed: the JVM's native
 *                           memory (code, metaspace, GC structures, threads, direct memory...)
 */
public record MemoryBreakdown(long rssBytes, long heapUsedBytes, long heapCommittedBytes, long directBytes, long nmtOtherBytes,
        int threads, long threadStackBytes, long nativeBytes) {

    /** Only the resident set known (nginx). */
    static MemoryBreakdown rssOnly(long rssBytes) {
        return new MemoryBreakdown(rssBytes, -1, -1, -1, -1, -1, -1, -1);
    }
}
