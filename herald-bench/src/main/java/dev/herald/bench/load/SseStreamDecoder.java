package dev.herald.bench.load;

/**
 * Reads an HTTP/1.1 response carrying {@code text/event-stream}, byte by byte, without allocating
 * per event: the status line, the headers (chunked or not), the chunk framing, then SSE lines; or,
 * after {@link #head}, an HTTP/2 stream's body, whose head and framing HTTP/2 carries. For
 * each event whose data starts with {@code "<seq> <sentNanos>"} (what {@link Publisher} sends) it
 * reports those two numbers; other events (greetings, resets) are counted only.
 *
 * <p>Not thread-safe: one decoder per connection, fed on that connection's event loop.
 */
final class SseStreamDecoder {

    /** What the decoder reports. */
    interface Listener {
        void onStatus(int status);

        void onEvent(long seq, long sentNanos);

        void onOtherEvent();

        /** The {@code id:} field of the event just reported (called before onEvent/onOtherEvent). */
        default void onId(byte[] id, int length) {
        }
    }

    private enum State { STATUS, HEADERS, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_DATA_END, BODY, DONE }

    private final Listener listener;
    private State state = State.STATUS;
    private final byte[] line = new byte[256];
    private int lineLength;
    private boolean lineTooLong;
    private boolean chunked;
    private long chunkRemaining;

    // SSE line state.
    private final byte[] sseLine = new byte[128];
    private int sseLength;
    private boolean sseCr;
    private boolean dataSeen;
    private boolean dataParsed;
    private long seq;
    private long sent;
    private final byte[] id = new byte[128];
    private int idLength = -1;

    SseStreamDecoder(Listener listener) {
        this.listener = listener;
    }

    /**
     * The status of a response whose head arrived apart from its body (an HTTP/2 HEADERS frame):
     * every byte fed from now on is the body.
     */
    void head(int status) {
        listener.onStatus(status);
        state = State.BODY;
    }

    boolean done() {
        return state == State.DONE;
    }

    void feed(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && state != State.DONE) {
            switch (state) {
                case STATUS, HEADERS, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA_END -> {
                    byte b = bytes[i++];
                    if (b == '\n') {
                        endHttpLine();
                    } else if (b != '\r') {
                        if (lineLength < line.length) {
                            line[lineLength++] = b;
                        } else {
                            lineTooLong = true;
                        }
                    }
                }
                case CHUNK_DATA -> {
                    int take = (int) Math.min(chunkRemaining, end - i);
                    sse(bytes, i, take);
                    i += take;
                    chunkRemaining -= take;
                    if (chunkRemaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                }
                case BODY -> {
                    sse(bytes, i, end - i);
                    i = end;
                }
                default -> i = end;
            }
        }
    }

    private void endHttpLine() {
        int length = lineLength;
        lineLength = 0;
        switch (state) {
            case STATUS -> {
                // "HTTP/1.1 200 OK"
                int status = 0;
                int at = 9;
                while (at < length && line[at] >= '0' && line[at] <= '9') {
                    status = status * 10 + (line[at++] - '0');
                }
                listener.onStatus(status);
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (length == 0) {
                    state = chunked ? State.CHUNK_SIZE : State.BODY;
                } else if (!lineTooLong && startsWithIgnoreCase(length, "transfer-encoding:") && containsIgnoreCase(length, "chunked")) {
                    chunked = true;
                }
                lineTooLong = false;
            }
            case CHUNK_SIZE, CHUNK_EXTENSION -> {
                long size = 0;
                for (int at = 0; at < length; at++) {
                    int digit = Character.digit(line[at], 16);
                    if (digit < 0) {
                        break;
                    }
                    size = size * 16 + digit;
                }
                if (size == 0) {
                    state = State.DONE;
                } else {
                    chunkRemaining = size;
                    state = State.CHUNK_DATA;
                }
            }
            case CHUNK_DATA_END -> state = State.CHUNK_SIZE;
            default -> { }
        }
    }

    private void sse(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (sseCr) {
                    sseCr = false;
                    continue;
                }
                endSseLine();
            } else if (b == '\r') {
                sseCr = true;
                endSseLine();
            } else {
                sseCr = false;
                if (sseLength < sseLine.length) {
                    sseLine[sseLength] = b;
                }
                sseLength++;
            }
        }
    }

    private void endSseLine() {
        int length = sseLength;
        sseLength = 0;
        if (length == 0) {
            // As EventSource does: an id sets the last event ID even when no data follows it.
            if (idLength >= 0) {
                listener.onId(id, idLength);
            }
            if (dataSeen) {
                if (dataParsed) {
                    listener.onEvent(seq, sent);
                } else {
                    listener.onOtherEvent();
                }
            }
            dataSeen = false;
            dataParsed = false;
            idLength = -1;
            return;
        }
        if (length >= 3 && sseLine[0] == 'i' && sseLine[1] == 'd' && sseLine[2] == ':') {
            int at = length > 3 && sseLine[3] == ' ' ? 4 : 3;
            idLength = Math.max(0, Math.min(length, sseLine.length) - at);
            System.arraycopy(sseLine, at, id, 0, idLength);
            return;
        }
        if (length >= 5 && sseLine[0] == 'd' && sseLine[1] == 'a' && sseLine[2] == 't' && sseLine[3] == 'a' && sseLine[4] == ':') {
            if (dataSeen) {
                return; // only the first data line carries the numbers
            }
            dataSeen = true;
            int at = 5;
            if (at < length && sseLine[at] == ' ') {
                at++;
            }
            int max = Math.min(length, sseLine.length);
            long first = 0;
            int digits = 0;
            while (at < max && sseLine[at] >= '0' && sseLine[at] <= '9') {
                first = first * 10 + (sseLine[at++] - '0');
                digits++;
            }
            if (digits == 0 || at >= max || sseLine[at] != ' ') {
                return;
            }
            at++;
            long second = 0;
            digits = 0;
            while (at < max && sseLine[at] >= '0' && sseLine[at] <= '9') {
                second = second * 10 + (sseLine[at++] - '0');
                digits++;
            }
            if (digits > 0) {
                seq = first;
                sent = second;
                dataParsed = true;
            }
        }
    }

    private boolean startsWithIgnoreCase(int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(line[i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean containsIgnoreCase(int length, String word) {
        outer:
        for (int start = 0; start + word.length() <= length; start++) {
            for (int i = 0; i < word.length(); i++) {
                if (Character.toLowerCase(line[start + i]) != word.charAt(i)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
