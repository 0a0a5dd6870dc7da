package dev.herald.bench.load;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The HTTP that subscribers speak to the server, and whether over TLS. */
public enum Protocol {
    /** HTTP/1.1 in clear: one connection per stream. */
    H1("h1", false, false),
    /** HTTP/1.1 over TLS (ALPN offers {@code http/1.1} only): one connection per stream. */
    H1_TLS("h1-tls", true, false),
    /** HTTP/2 in clear, with prior knowledge ({@code h2c}): many streams per connection. */
    H2C("h2c", false, true),
    /** HTTP/2 over TLS, agreed by ALPN ({@code h2}): many streams per connection. */
    H2("h2", true, true);

    private final String label;
    private final boolean tls;
    private final boolean http2;

    Protocol(String label, boolean tls, boolean http2) {
        this.label = label;
        this.tls = tls;
        this.http2 = http2;
    }

    /** The name options and reports use: {@code h1}, {@code h1-tls}, {@code h2c}, {@code h2}. */
    public String label() {
        return label;
    }

    public boolean tls() {
        return tls;
    }

    public boolean http2() {
        return http2;
    }

    /** The protocol of this {@link #label()}. */
    public static Protocol of(String label) {
        return Arrays.stream(values()).filter(p -> p.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown protocol " + label + "; one of "
                        + Arrays.stream(values()).map(Protocol::label).collect(Collectors.joining(", "))));
    }
}
