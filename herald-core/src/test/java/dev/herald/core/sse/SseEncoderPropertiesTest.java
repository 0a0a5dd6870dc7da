package dev.herald.core.sse;

import static dev.herald.core.testing.PropertyCheck.forAll;
import static dev.herald.core.testing.PropertyCheck.samples;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.InvalidEventException;
import dev.herald.core.testing.PropertyCheck;
import dev.herald.core.testing.PropertyCheck.Draws;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Specifies {@link SseEncoder#event(String, String, String, java.time.Duration)} against the WHATWG
 * HTML "Server-sent events" stream interpretation rules: whatever a publisher may legally put in an
 * event (an id and type without CR, LF or NUL; data of any Unicode text; a retry from zero to {@link
 * SseEncoder#MAX_RETRY}) is what a browser's {@code EventSource} hands its listener, one event per
 * encoded event, in order; and an id or type a browser would misread, or a retry that is negative or
 * longer than {@link SseEncoder#MAX_RETRY}, is refused with {@link InvalidEventException} instead of
 * encoded.
 *
 * <p>The properties run on {@link PropertyCheck}: a failure is shrunk and reported with its seed;
 * rerun with {@code -Dherald.properties.seed=<seed>} to get the same values.
 */
class SseEncoderPropertiesTest {

    private static final int TRIES = 1000;

    @Test
    void everyEncodedEventParsesBackToWhatWasPublished() {
        forAll(TRIES, SseEncoderPropertiesTest::publishable, Published::toString, event -> {
            byte[] bytes = SseEncoder.event(event.id(), event.type(), event.data(), event.retry());

            assertThat(EventStream.interpret(bytes)).containsExactly(event.asDelivered(""));
        });
    }

    @Test
    void anIdAloneFiresNothingAndIsTheLastEventIdOfTheNextEventWithoutOne() {
        forAll(TRIES, SseEncoderPropertiesTest::publishable, Published::toString, event -> {
            if (event.id() == null) {
                return;
            }
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            stream.writeBytes(SseEncoder.idOnly(event.id()));
            stream.writeBytes(SseEncoder.event(null, event.type(), event.data(), event.retry()));

            assertThat(EventStream.interpret(stream.toByteArray())).containsExactly(event.asDelivered(""));
        });
    }

    @Test
    void anIdOrTypeWithCrLfOrNulIsRefusedInsteadOfEncoded() {
        forAll(TRIES, SseEncoderPropertiesTest::withForbiddenField, Published::toString, event ->
                assertThatThrownBy(() -> SseEncoder.event(event.id(), event.type(), event.data(), event.retry()))
                        .isInstanceOf(InvalidEventException.class));
    }

    @Test
    void concatenatedEventsParseBackToTheSameEventsInOrder() {
        forAll(TRIES, draws -> draws.list(0, 12, 3, SseEncoderPropertiesTest::publishable), String::valueOf, events -> {
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            List<EventStream.Dispatched> expected = new ArrayList<>();
            String lastEventId = "";
            BigInteger reconnectionTime = null;
            for (Published event : events) {
                stream.writeBytes(SseEncoder.event(event.id(), event.type(), event.data(), event.retry()));
                // A browser keeps the last id and the reconnection time across events: an event
                // without an id is delivered with the id of the one before it.
                lastEventId = event.id() == null ? lastEventId : event.id();
                reconnectionTime = event.retry() == null ? reconnectionTime : wholeMillis(event.retry());
                expected.add(new EventStream.Dispatched(event.deliveredType(), event.deliveredData(), lastEventId, reconnectionTime));
            }

            assertThat(EventStream.interpret(stream.toByteArray())).containsExactlyElementsOf(expected);
        });
    }

    @Test
    void everyRetryUpToMaxRetryIsWrittenAsItsWholeMillisecondsAndAnyLongerOrNegativeOneIsRefused() {
        assertThat(SseEncoder.MAX_RETRY).isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
        forAll(TRIES, SseEncoderPropertiesTest::anyDuration, Published::show, retry -> {
            if (retry.isNegative() || retry.compareTo(SseEncoder.MAX_RETRY) > 0) {
                assertThatThrownBy(() -> SseEncoder.event(null, null, "x", retry)).isInstanceOf(InvalidEventException.class);
            } else {
                assertThat(EventStream.interpret(SseEncoder.event(null, null, "x", retry))).singleElement()
                        .extracting(EventStream.Dispatched::reconnectionTime)
                        .isEqualTo(wholeMillis(retry));
            }
        });
    }

    /** Not a property of the encoder: a check that the generators reach the cases the properties are about. */
    @Test
    void theGeneratorsReachTheAwkwardCases() {
        List<Published> events = samples(TRIES, SseEncoderPropertiesTest::publishable);
        List<String> data = events.stream().map(Published::data).toList();

        assertThat(data).anyMatch(d -> d.contains("\r\n"))
                .anyMatch(d -> d.matches("(?s).*\r(?!\n).*"))
                .anyMatch(d -> d.matches("(?s).*(?<!\r)\n.*"))
                .anyMatch(d -> d.contains("\n\n") || d.contains("\r\r"))
                .anyMatch(d -> d.startsWith(" "))
                .anyMatch(d -> d.startsWith(":"))
                .anyMatch(d -> d.contains("\0"))
                .anyMatch(d -> d.codePoints().anyMatch(Character::isSupplementaryCodePoint))
                .anyMatch(String::isEmpty);
        assertThat(events).anyMatch(e -> e.id() == null).anyMatch(e -> "".equals(e.id()))
                .anyMatch(e -> e.id() != null && e.id().startsWith(" "))
                .anyMatch(e -> e.id() != null && e.id().chars().anyMatch(c -> c < 0x20))
                .anyMatch(e -> e.type() == null).anyMatch(e -> "message".equals(e.type()))
                .anyMatch(e -> e.type() != null && e.type().codePoints().anyMatch(Character::isSupplementaryCodePoint))
                .anyMatch(e -> e.retry() == null).anyMatch(e -> Duration.ZERO.equals(e.retry()))
                .anyMatch(e -> e.retry() != null && e.retry().getNano() % 1_000_000 != 0)
                .anyMatch(e -> e.retry() != null && e.retry().toMillis() > Integer.MAX_VALUE)
                .anyMatch(e -> SseEncoder.MAX_RETRY.equals(e.retry()));
        List<Duration> retries = samples(TRIES, SseEncoderPropertiesTest::anyDuration);
        assertThat(retries).contains(Duration.ZERO, SseEncoder.MAX_RETRY, SseEncoder.MAX_RETRY.plusNanos(1))
                .anyMatch(Duration::isNegative)
                .anyMatch(d -> d.isNegative() && d.compareTo(Duration.ofSeconds(-1)) > 0)
                .anyMatch(d -> d.compareTo(SseEncoder.MAX_RETRY) > 0 && d.compareTo(SseEncoder.MAX_RETRY.plusMillis(1)) < 0)
                .anyMatch(d -> d.compareTo(SseEncoder.MAX_RETRY.multipliedBy(2)) > 0)
                .anyMatch(d -> d.compareTo(SseEncoder.MAX_RETRY) < 0 && d.compareTo(SseEncoder.MAX_RETRY.minusMillis(1)) > 0)
                .anyMatch(d -> d.getNano() % 1_000_000 != 0 && !d.isNegative() && d.compareTo(SseEncoder.MAX_RETRY) <= 0);
    }

    // ---------------------------------------------------------------- the generated values

    /** An event as handed to the encoder. */
    record Published(String id, String type, String data, Duration retry) {

        String deliveredType() {
            return type == null ? "message" : type;
        }

        /** What a browser's listener receives: every CRLF and lone CR of the data becomes LF. */
        String deliveredData() {
            return data.replace("\r\n", "\n").replace('\r', '\n');
        }

        EventStream.Dispatched asDelivered(String previousId) {
            return new EventStream.Dispatched(deliveredType(), deliveredData(), id == null ? previousId : id,
                    retry == null ? null : wholeMillis(retry));
        }

        @Override
        public String toString() {
            return "Published[id=" + show(id) + ", type=" + show(type) + ", data=" + show(data) + ", retry=" + show(retry) + "]";
        }

        static String show(Object value) {
            if (value instanceof Duration duration) {
                return "Duration.ofSeconds(" + duration.getSeconds() + "L, " + duration.getNano() + ")";
            }
            if (!(value instanceof String text)) {
                return String.valueOf(value);
            }
            StringBuilder out = new StringBuilder("\"");
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '\r' -> out.append("\\r");
                    case '\n' -> out.append("\\n");
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }

    static BigInteger wholeMillis(Duration duration) {
        return BigInteger.valueOf(duration.getSeconds()).multiply(BigInteger.valueOf(1000))
                .add(BigInteger.valueOf(duration.getNano() / 1_000_000));
    }

    static Published publishable(Draws draws) {
        String id = switch (draws.pick(3, 1, 6)) {
            case 0 -> null;
            case 1 -> "";
            default -> fieldText(draws, 1);
        };
        String type = switch (draws.pick(3, 1, 6)) {
            case 0 -> null;
            case 1 -> "message";
            default -> fieldText(draws, 1);
        };
        String data = data(draws);
        Duration retry = draws.chance(40) ? retry(draws) : null;
        return new Published(id, type, data, retry);
    }

    /** A publishable event with CR, LF or NUL put into its id, its type or both. */
    static Published withForbiddenField(Draws draws) {
        Published event = publishable(draws);
        return switch (draws.pick(1, 1, 1)) {
            case 0 -> new Published(spoil(draws, event.id()), event.type(), event.data(), event.retry());
            case 1 -> new Published(event.id(), spoil(draws, event.type()), event.data(), event.retry());
            default -> new Published(spoil(draws, event.id()), spoil(draws, event.type()), event.data(), event.retry());
        };
    }

    private static String spoil(Draws draws, String value) {
        String text = value == null ? "" : value;
        String forbidden = draws.element("\n", "\r", "\0", "\r\n");
        int at = text.offsetByCodePoints(0, draws.between(0, text.codePointCount(0, text.length())));
        return text.substring(0, at) + forbidden + text.substring(at);
    }

    /** Text the encoder accepts in an id or type: anything but CR, LF and NUL (other controls included). */
    static String fieldText(Draws draws, int minLength) {
        StringBuilder out = new StringBuilder();
        draws.list(minLength, 500, draws.chance(3) ? 100 : 5, d -> codePoint(d, false)).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** Any Unicode text, with line breaks of every kind, empty lines, leading spaces, colons and field look-alikes. */
    static String data(Draws draws) {
        return String.join("", draws.list(0, 1000, draws.chance(5) ? 150 : 8, d -> switch (d.pick(12, 2, 2, 2, 1, 1, 1, 1)) {
            case 0 -> Character.toString(codePoint(d, true));
            case 1 -> "\n";
            case 2 -> "\r";
            case 3 -> "\r\n";
            case 4 -> d.element("\n\n", "\r\r", "\r\n\r\n", "\n\r", "\r\r\n");
            case 5 -> d.element(" ", ":", ": ", "  ", " :");
            case 6 -> d.element("data: x", "data:", "id: 7", "event: e", "retry: 5", "event", "id");
            default -> d.element("\0", "\uFEFF", "\u0085", "\u2028", "\u2029", "\uD83D\uDE00", "\uDBFF\uDFFF");
        }));
    }

    /**
     * A Unicode scalar value (never a lone surrogate); CR, LF and NUL only if {@code anything}.
     * Zero draws give a space, the simplest character of interest.
     */
    static int codePoint(Draws draws, boolean anything) {
        return switch (draws.pick(8, 2, 3, 2, 2)) {
            case 0 -> draws.between(0x20, 0x7e);
            case 1 -> anything ? draws.between(0x00, 0x1f) : draws.element(0x01, 0x09, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f);
            case 2 -> draws.chance(50) ? draws.between(0x80, 0xd7ff) : draws.between(0xe000, 0xffff);
            case 3 -> draws.element(0x1F600, 0x1F44D, 0x1F1EB, 0x1F3F3, 0x10000, 0x10FFFF, 0x1D11E);
            default -> draws.between(0x10000, 0x10ffff);
        };
    }

    /** A retry the encoder accepts: zero to {@link SseEncoder#MAX_RETRY}, whole milliseconds or not. */
    static Duration retry(Draws draws) {
        long millis = switch (draws.pick(4, 2, 1, 1)) {
            case 0 -> draws.between(0L, 10_000L);
            case 1 -> draws.between(0L, Long.MAX_VALUE - 1);
            case 2 -> draws.element(0L, 1L, 999L, 1000L, (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE);
            default -> Long.MAX_VALUE - draws.between(0L, 1000L);
        };
        Duration retry = Duration.ofMillis(millis);
        retry = draws.chance(30) ? retry.plusNanos(draws.between(0L, 999_999L)) : retry;
        return retry.compareTo(SseEncoder.MAX_RETRY) > 0 ? SseEncoder.MAX_RETRY : retry;
    }

    /**
     * Any {@link Duration}, from the most negative to the largest: mostly short ones, ones within two
     * milliseconds or two seconds of {@link SseEncoder#MAX_RETRY} on either side (a retry a nanosecond
     * longer still has {@code Long.MAX_VALUE} whole milliseconds, yet is refused), and now and then a
     * negative one. Zero draws give {@link Duration#ZERO}.
     */
    static Duration anyDuration(Draws draws) {
        Duration duration = switch (draws.pick(4, 4, 2, 1)) {
            case 0 -> Duration.ofSeconds(draws.between(0L, 1_000_000L), draws.between(0L, 999_999_999L));
            case 1 -> {
                long nanos = draws.chance(50) ? draws.between(0L, 2_000_000_000L) : draws.between(0L, 2_000_000L);
                yield draws.chance(50) ? SseEncoder.MAX_RETRY.plusNanos(nanos) : SseEncoder.MAX_RETRY.minusNanos(nanos);
            }
            case 2 -> Duration.ofSeconds(draws.between(0L, Long.MAX_VALUE - 1), draws.between(0L, 999_999_999L));
            default -> draws.element(Duration.ZERO, SseEncoder.MAX_RETRY, SseEncoder.MAX_RETRY.plusNanos(1),
                    SseEncoder.MAX_RETRY.minusNanos(1), SseEncoder.MAX_RETRY.plusMillis(1), Duration.ofNanos(1),
                    Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
        };
        // Negated and a nanosecond less, so that it is negative even when it was zero.
        return draws.chance(20) ? duration.negated().minusNanos(1) : duration;
    }

    // ---------------------------------------------------------------- the oracle

    /**
     * WHATWG HTML, "Server-sent events", <a
     * href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">Interpreting
     * an event stream</a>, step by step and nothing else. It records, for every event dispatched, what
     * the listener receives ({@code type}, {@code data}, {@code lastEventId}) and the stream's
     * reconnection time at that moment.
     */
    static final class EventStream {

        /** One dispatched event; {@code reconnectionTime} is null while no {@code retry} field has set it. */
        record Dispatched(String type, String data, String lastEventId, BigInteger reconnectionTime) {
            @Override
            public String toString() {
                return "Dispatched[type=" + Published.show(type) + ", data=" + Published.show(data)
                        + ", lastEventId=" + Published.show(lastEventId) + ", reconnectionTime=" + reconnectionTime + "]";
            }
        }

        private final List<Dispatched> dispatched = new ArrayList<>();
        private final StringBuilder dataBuffer = new StringBuilder();
        private String eventTypeBuffer = "";
        private String lastEventIdBuffer = "";
        private BigInteger reconnectionTime;

        static List<Dispatched> interpret(byte[] bytes) {
            // "Streams must be decoded using the UTF-8 decode algorithm": it drops one leading BOM
            // and turns malformed sequences into U+FFFD, as new String(bytes, UTF_8) does.
            String stream = new String(bytes, UTF_8);
            if (stream.startsWith("\uFEFF")) {
                stream = stream.substring(1);
            }
            EventStream interpreter = new EventStream();
            // "...reading everything line by line, with a CRLF character pair, a single LF not preceded
            // by a CR, and a single CR not followed by an LF being the ways in which a line can end."
            int start = 0;
            for (int i = 0; i < stream.length(); i++) {
                char c = stream.charAt(i);
                if (c == '\r' || c == '\n') {
                    interpreter.line(stream.substring(start, i));
                    if (c == '\r' && i + 1 < stream.length() && stream.charAt(i + 1) == '\n') {
                        i++;
                    }
                    start = i + 1;
                }
            }
            // Text after the last line end is not a line; "once the end of the file is reached, any
            // pending data must be discarded" (an event without its blank line is not dispatched).
            return List.copyOf(interpreter.dispatched);
        }

        private void line(String line) {
            if (line.isEmpty()) {
                dispatch();
            } else if (line.charAt(0) == ':') {
                return; // a comment
            } else if (line.indexOf(':') >= 0) {
                int colon = line.indexOf(':');
                String value = line.substring(colon + 1);
                // "If value starts with a U+0020 SPACE character, remove it from value."
                process(line.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value);
            } else {
                process(line, "");
            }
        }

        private void process(String field, String value) {
            switch (field) {
                case "event" -> eventTypeBuffer = value;
                case "data" -> dataBuffer.append(value).append('\n');
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastEventIdBuffer = value;
                    }
                }
                case "retry" -> {
                    // "If the field value consists of only ASCII digits": an empty value is treated as
                    // not a number (the encoder never writes one).
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        reconnectionTime = new BigInteger(value);
                    }
                }
                default -> { } // "Otherwise: The field is ignored."
            }
        }

        private void dispatch() {
            // 1. The last event ID string becomes the last event ID buffer (which is not reset).
            String lastEventId = lastEventIdBuffer;
            // 2. No data: reset the data and event type buffers, and return.
            if (dataBuffer.isEmpty()) {
                eventTypeBuffer = "";
                return;
            }
            // 3. Remove one trailing LF.
            if (dataBuffer.charAt(dataBuffer.length() - 1) == '\n') {
                dataBuffer.setLength(dataBuffer.length() - 1);
            }
            // 4-5. Type "message" unless the event type buffer is not empty.
            dispatched.add(new Dispatched(eventTypeBuffer.isEmpty() ? "message" : eventTypeBuffer,
                    dataBuffer.toString(), lastEventId, reconnectionTime));
            // 6. Reset the data and event type buffers.
            dataBuffer.setLength(0);
            eventTypeBuffer = "";
        }
    }
}
