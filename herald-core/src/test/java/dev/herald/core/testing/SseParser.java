package dev.herald.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An event-stream parser written from the WHATWG HTML "Interpreting an event stream" algorithm,
 * for tests that assert what a browser would see. Feed it bytes as they arrive; it keeps partial
 * lines between feeds.
 */
public final class SseParser {

    /** What a browser's listener would receive. */
    public record Received(String type, String data, String lastEventId) {
    }

    private final List<Received> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final java.io.ByteArrayOutputStream lineBytes = new java.io.ByteArrayOutputStream();
    private final java.io.ByteArrayOutputStream bom = new java.io.ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    private long retry = -1;
    private boolean previousWasCr;
    private boolean first = true;

    public static SseParser parse(byte[] bytes) {
        SseParser parser = new SseParser();
        parser.feed(bytes);
        return parser;
    }

    public static SseParser parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Feeds raw bytes; they may split anywhere, even inside a UTF-8 sequence. Lines are decoded
     * only when complete (CR and LF never occur inside a multi-byte UTF-8 sequence).
     */
    public synchronized void feed(byte[] bytes) {
        for (byte b : bytes) {
            if (first) {
                bom.write(b);
                byte[] seen = bom.toByteArray();
                if (isBomPrefix(seen)) {
                    if (seen.length == 3) {
                        first = false;
                        bom.reset();
                    }
                    continue;
                }
                first = false;
                bom.reset();
                for (byte held : seen) {
                    accept(held);
                }
                continue;
            }
            accept(b);
        }
    }

    private static boolean isBomPrefix(byte[] seen) {
        byte[] bomBytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        for (int i = 0; i < seen.length; i++) {
            if (seen[i] != bomBytes[i]) {
                return false;
            }
        }
        return true;
    }

    private void accept(byte b) {
        if (b == '\n' && previousWasCr) {
            previousWasCr = false;
            return;
        }
        previousWasCr = b == '\r';
        if (b == '\r' || b == '\n') {
            processLine(lineBytes.toString(StandardCharsets.UTF_8));
            lineBytes.reset();
        } else {
            lineBytes.write(b);
        }
    }

    public synchronized void feed(String text) {
        feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private void processLine(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.startsWith(":")) {
            comments.add(text.substring(1).startsWith(" ") ? text.substring(2) : text.substring(1));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    // Any run of digits is a reconnection time; one too long for a long is as long as it gets.
                    retry = new java.math.BigInteger(value).min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
                }
            }
            default -> { }
        }
    }

    private void dispatch() {
        if (data.isEmpty()) {
            eventType = "";
            return;
        }
        String value = data.substring(0, data.length() - 1);
        events.add(new Received(eventType.isEmpty() ? "message" : eventType, value, lastEventId));
        data.setLength(0);
        eventType = "";
    }

    public synchronized List<Received> events() {
        return List.copyOf(events);
    }

    /** Events of one type. */
    public synchronized List<Received> events(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    public synchronized List<String> comments() {
        return List.copyOf(comments);
    }

    /** The last {@code retry} value seen, or -1. */
    public synchronized long retry() {
        return retry;
    }

    /** The last event id buffer, as a browser would send it in {@code Last-Event-ID}. */
    public synchronized String lastEventId() {
        return lastEventId;
    }
}
