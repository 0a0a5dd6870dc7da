package dev.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseStreamDecoderTest {

    private final List<String> seen = new ArrayList<>();
    private final SseStreamDecoder decoder = new SseStreamDecoder(new SseStreamDecoder.Listener() {
        @Override
        public void onStatus(int status) {
            seen.add("status " + status);
        }

        @Override
        public void onEvent(long seq, long sentNanos) {
            seen.add(seq + "@" + sentNanos);
        }

        @Override
        public void onOtherEvent() {
            seen.add("other");
        }

        @Override
        public void onId(byte[] id, int length) {
            seen.add("id " + new String(id, 0, length, StandardCharsets.US_ASCII));
        }
    });

    private void feed(String text, int pieceSize) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            decoder.feed(bytes, i, Math.min(pieceSize, bytes.length - i));
        }
    }

    private static String chunk(String body) {
        return Integer.toHexString(body.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + body + "\r\n";
    }

    @Test
    void readsChunkedStreamsSplitAnywhere() {
        String response = "HTTP/1.1 200 \r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk("retry: 3000\n\n") + chunk("id: 7\ndata: 12 345 padding\n\ndata: hello\n\n")
                + chunk("event: x\ndata: 13 ") + chunk("346\n\n") + "0\r\n\r\n";
        for (int piece : new int[] {1, 3, 7, 1000}) {
            seen.clear();
            SseStreamDecoderTest fresh = new SseStreamDecoderTest();
            fresh.feed(response, piece);
            assertThat(fresh.seen).as("pieces of %d", piece).containsExactly("status 200", "id 7", "12@345", "other", "13@346");
            assertThat(fresh.decoder.done()).isTrue();
        }
    }

    @Test
    void readsUnchunkedStreamsWithCrlfLines() {
        feed("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hi\r\n\r\ndata: 1 2\r\ndata: more\r\n\r\n", 5);

        assertThat(seen).containsExactly("status 200", "1@2");
    }

    @Test
    void readsAnHttp2BodyAfterItsHead() {
        decoder.head(200);
        feed("retry: 3000\n\nid: 7\ndata: 12 345 padding\n\n", 4);

        assertThat(seen).containsExactly("status 200", "id 7", "12@345");
    }

    @Test
    void anIdWithoutDataSetsTheLastEventIdAndFiresNoEvent() {
        decoder.head(200);
        feed("retry: 3000\nid: 41\n\ndata: 12 345\n\n", 3);

        assertThat(seen).containsExactly("status 200", "id 41", "12@345");
    }

    @Test
    void reportsRefusals() {
        feed("HTTP/1.1 429 \r\nContent-Length: 2\r\n\r\n{}", 100);

        assertThat(seen).containsExactly("status 429");
    }
}
