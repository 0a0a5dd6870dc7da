package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading jcmd's and Prometheus's text as JDK 25 and the server write it. */
class JvmMemoryTest {

    private static final String NMT = """
            28799:

            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=3600857KB, committed=172717KB
                   malloc: 25869KB #143703, peak=53417KB #136831
                   mmap:   reserved=3574988KB, committed=146848KB

            -                 Java Heap (reserved=2097152KB, committed=51200KB)
                                        (mmap: reserved=2097152KB, committed=51200KB, peak=389120KB)

            -                    Thread (reserved=25685KB, committed=1869KB)
                                        (threads #25)
                                        (stack: reserved=25600KB, committed=1784KB, peak=1784KB)
                                        (malloc=58KB tag=Thread #152) (peak=66KB #156)

            -                  Internal (reserved=1384KB, committed=1384KB)
                                        (malloc=1348KB tag=Internal #6613) (at peak)

            -                     Other (reserved=1684KB, committed=1684KB)
                                        (malloc=1684KB tag=Other #23) (at peak)
            """;

    @Test
    void readsNativeMemoryTrackingsSummary() {
        assertThat(JvmMemory.nmtTotalCommitted(NMT)).isEqualTo(172_717L * 1024);
        assertThat(JvmMemory.nmtCommitted(NMT, "Other")).isEqualTo(1684L * 1024);
        assertThat(JvmMemory.nmtCommitted(NMT, "Java Heap")).isEqualTo(51_200L * 1024);
        assertThat(JvmMemory.nmtCommitted(NMT, "Thread")).isEqualTo(1869L * 1024);
        assertThat(JvmMemory.nmtStackCommitted(NMT)).isEqualTo(1784L * 1024);
    }

    @Test
    void tellsWhenTrackingIsOff() {
        String off = "28799:\nNative memory tracking is not enabled\n";

        assertThat(JvmMemory.nmtTotalCommitted(off)).isEqualTo(-1);
        assertThat(JvmMemory.nmtCommitted(off, "Other")).isEqualTo(-1);
        assertThat(JvmMemory.nmtStackCommitted(off)).isEqualTo(-1);
        assertThat(JvmMemory.nmtCommitted("", "Other")).isEqualTo(-1);
    }

    @Test
    void readsTheHeapFromGcHeapInfo() {
        String g1 = """
                28799:
                garbage-first heap   total reserved 2097152K, committed 51200K, used 38021K [0x0000000080000000, 0x0000000100000000)
                 region size 1024K, 27 young (27648K), 4 survivors (4096K)
                """;

        assertThat(JvmMemory.heapInfo(g1)).containsExactly(51_200L * 1024, 38_021L * 1024);
        assertThat(JvmMemory.heapInfo("")).containsExactly(-1, -1);
    }

    @Test
    void readsOneSampleOfAPrometheusScrape() {
        String scrape = """
                # HELP jvm_buffer_memory_used_bytes An estimate of the memory that the Java virtual machine is using for this buffer pool
                # TYPE jvm_buffer_memory_used_bytes gauge
                jvm_buffer_memory_used_bytes{id="direct"} 1189993.0
                jvm_buffer_memory_used_bytes{id="mapped"} 0.0
                jvm_buffer_count_buffers{id="direct"} 18.0
                """;

        assertThat(JvmMemory.prometheusValue(scrape, "jvm_buffer_memory_used_bytes", "id=\"direct\"")).isEqualTo(1_189_993);
        assertThat(JvmMemory.prometheusValue(scrape, "jvm_buffer_memory_used_bytes", "id=\"mapped\"")).isZero();
        assertThat(JvmMemory.prometheusValue(scrape, "netty_allocator_memory_used", "direct")).isEqualTo(-1);
    }
}
