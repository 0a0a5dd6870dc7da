package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.sse.SseEncoder;
import dev.herald.core.testing.SseParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SseEncoderTest {

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void writesIdTypeRetryAndDataInThatOrder() {
        byte[] frame = SseEncoder.event("42", "order-updated", "paid", Duration.ofMillis(2500));

        assertThat(text(frame)).isEqualTo("id: 42\nevent: order-updated\nretry: 2500\ndata: paid\n\n");
    }

    @Test
    void leavesOutTheEventLineForTheDefaultType() {
        assertThat(text(SseEncoder.event("1", "message", "x", null))).isEqualTo("id: 1\ndata: x\n\n");
        assertThat(text(SseEncoder.event(null, null, "x", null))).isEqualTo("data: x\n\n");
    }

    @Test
    void splitsDataOnLfCrAndCrlfIntoOneDataLineEach() {
        byte[] frame = SseEncoder.event(null, null, "a\nb\rc\r\nd", null);

        assertThat(text(frame)).isEqualTo("data: a\ndata: b\ndata: c\ndata: d\n\n");
        assertThat(SseParser.parse(frame).events()).singleElement()
                .satisfies(e -> assertThat(e.data()).isEqualTo("a\nb\nc\nd"));
    }

    @Test
    void keepsEmptyLinesAndTrailingNewlinesAsABrowserWouldSeeThem() {
        assertThat(SseParser.parse(SseEncoder.event(null, null, "a\n\nb\n", null)).events())
                .singleElement().satisfies(e -> assertThat(e.data()).isEqualTo("a\n\nb\n"));
    }

    @Test
    void deliversEmptyDataAsAnEmptyEventRatherThanNothing() {
        byte[] frame = SseEncoder.event(null, "ping", "", null);

        assertThat(text(frame)).isEqualTo("event: ping\ndata: \n\n");
        assertThat(SseParser.parse(frame).events()).singleElement()
                .satisfies(e -> assertThat(e.data()).isEmpty());
    }

    @Test
    void preservesLeadingSpacesColonsAndUnicodeInData() {
        String data = "  indented: {\"k\": \"한국어 ✓ 😀\"}";

        assertThat(SseParser.parse(SseEncoder.event("7", null, data, null)).events())
                .singleElement().satisfies(e -> {
                    assertThat(e.data()).isEqualTo(data);
                    assertThat(e.lastEventId()).isEqualTo("7");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "a\0b"})
    void refusesLineBreaksAndNulInIds(String id) {
        assertThatThrownBy(() -> SseEncoder.event(id, null, "x", null))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "evil\r\ndata: injected", "a\0b"})
    void refusesLineBreaksAndNulInEventTypes(String type) {
        assertThatThrownBy(() -> SseEncoder.event("1", type, "x", null))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("event type");
    }

    @Test
    void writesRetryAsDigitsOnlyAndRefusesNegativeDelays() {
        assertThat(text(SseEncoder.retry(Duration.ofSeconds(3)))).isEqualTo("retry: 3000\n\n");
        assertThatThrownBy(() -> SseEncoder.retry(Duration.ofMillis(-1))).isInstanceOf(InvalidEventException.class);
        assertThat(SseParser.parse(SseEncoder.retry(Duration.ofMillis(1500))).retry()).isEqualTo(1500);
    }

    @Test
    void writesCommentsThatClientsIgnore() {
        byte[] frame = SseEncoder.comment("heartbeat");

        assertThat(text(frame)).isEqualTo(": heartbeat\n\n");
        SseParser parsed = SseParser.parse(frame);
        assertThat(parsed.events()).isEmpty();
        assertThat(parsed.comments()).containsExactly("heartbeat");
        assertThatThrownBy(() -> SseEncoder.comment("a\nb")).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void idLineLengthMatchesTheEncodedIdLine() {
        assertThat(SseEncoder.idLine("123~456")).hasSize(SseEncoder.idLineLength("123~456"));
        assertThat(text(SseEncoder.idLine("9"))).isEqualTo("id: 9\n");
    }

    @Test
    void countsUtf8BytesWithoutEncoding() {
        for (String text : java.util.List.of("", "ascii", "caf\u00e9", "\u20ac100", "\uD83D\uDE00 smile", "\u0000\u007f\u0080\u07ff\u0800\uffff")) {
            long expected = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertThat(dev.herald.core.sse.SseEncoder.utf8Length(text)).as(text).isEqualTo(expected);
        }
    }
}
