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
    private final StringBuilder line = new StringBuilder();
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

    public synchronized void feed(byte[] bytes) {
        feed(new String(bytes, StandardCharsets.UTF_8));
    }

    public synchronized void feed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    continue;
                }
            }
            if (c == '\n' && previousWasCr) {
                previousWasCr = false;
                continue;
            }
            previousWasCr = c == '\r';
            if (c == '\r' || c == '\n') {
                processLine(line.toString());
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
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
                    retry = Long.parseLong(value);
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
