package dev.herald.bench.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the {@link Publisher} sends its events. */
public enum PublishMode {
    /**
     * Up to {@code --pipeline} requests in flight per connection, written by the connection's event
     * loop as the rate allows and flushed together: the most a publisher connection can push, with
     * events that fall due together (a timer's granularity, or after a slow response) leaving in one
     * flush.
     */
    PIPELINED,
    /**
     * One request per event, written and flushed on its own at its due time ({@code start + i / rate})
     * by a dedicated thread, as an application posts each event as it happens. Responses may be
     * outstanding; events are never held back to go out together.
     */
    PACED;

    /** The mode named {@code pipelined} or {@code paced}. */
    public static PublishMode of(String name) {
        return Arrays.stream(values()).filter(mode -> mode.label().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown publish mode " + name + "; one of "
                        + Arrays.stream(values()).map(PublishMode::label).collect(Collectors.joining(", "))));
    }

    /** The name options and reports use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
