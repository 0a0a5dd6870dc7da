package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One subscriber: its counters live across reconnections, as a browser's EventSource keeps its
 * Last-Event-ID, whether it connects over HTTP/1.1 or as a stream of an HTTP/2 connection. Every event's sequence number is checked (a topic's events must arrive in order,
 * each once) and its latency recorded. Each connection has its own {@link Handler}; counters are
 * written on the connection's event loop and read after the run.
 */
final class Subscriber {

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    final int topic;
    private final UrlTemplate url;
    private final String topicName;
    private final Latencies latencies;
    /** The status of the first connection. */
    final CompletableFuture<Integer> status = new CompletableFuture<>();
    /** Set at the start of the measured phase: events sent before it are not timed. */
    volatile long measureFromNanos = Long.MAX_VALUE;

    volatile long received;
    volatile long lastSeq;
    volatile long outOfOrder;
    volatile long others;
    volatile boolean closed;
    volatile long reconnects;
    volatile String lastEventId;
    /** The current connection (HTTP/1.1) or stream (HTTP/2): closing it drops this subscriber alone. */
    volatile Channel channel;
    /** True from a forced drop until the next connection is established: one reconnection at a time. */
    final java.util.concurrent.atomic.AtomicBoolean reconnecting = new java.util.concurrent.atomic.AtomicBoolean();
    /** Counts the connections made: the last one made is the current one. */
    private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();
    /** Also records latencies by send time, when a run reads its phases apart; null otherwise. */
    private final LatencyTimeline timeline;

    /** The event whose id to keep in {@link #recordedId}, by sequence number; none below 1. */
    volatile long recordIdOfSeq;
    /** The id the server gave event {@link #recordIdOfSeq}, once received. */
    volatile String recordedId;

    /**
     * A resume being watched (a reconnect storm): the sequence number to catch up to, below 0 when
     * none; the {@link System#nanoTime()} the subscriber was disconnected; and the time it had its
     * 200 and every event up to that number (0 until then).
     */
    volatile long resumeTargetSeq = -1;
    volatile long disconnectedNanos;
    volatile long resumedNanos;

    /** Where this subscriber connects. */
    UrlTemplate url() {
        return url;
    }

    Subscriber(int topic, String topicName, UrlTemplate url, Latencies latencies) {
        this(topic, topicName, url, latencies, null);
    }

    /** Recording latencies by send time into the timeline too, if not null. */
    Subscriber(int topic, String topicName, UrlTemplate url, Latencies latencies, LatencyTimeline timeline) {
        this.topic = topic;
        this.topicName = topicName;
        this.url = url;
        this.latencies = latencies;
        this.timeline = timeline;
    }

    /**
     * Starts as if it had received the topic's events up to {@code seq}, the last with this id: its
     * first connection resumes after it (a browser that reconnects after a restart of the server).
     */
    void resumeFrom(String id, long seq) {
        lastEventId = id;
        lastSeq = seq;
    }

    /**
     * Watches the next connection's resume: done once it has its 200 and every event up to
     * {@code seq}. Call once the previous connection is closed, before the next opens.
     */
    void watchResume(long seq, long disconnectedAt) {
        disconnectedNanos = disconnectedAt;
        resumedNanos = 0;
        resumeTargetSeq = seq;
    }

    private void checkResumed(long now) {
        // The target is set only once the old connection closed: only the new one's events count.
        if (resumeTargetSeq >= 0 && resumedNanos == 0 && lastSeq >= resumeTargetSeq) {
            resumedNanos = now;
        }
    }

    /**
     * A handler for a new HTTP/1.1 connection or HTTP/2 stream, resuming from the last event id
     * seen, if any. It becomes the subscriber's current connection: an earlier one whose close is
     * reported after this (its channelInactive runs after its close completed, when the next
     * connection may be open already) is no longer {@link Handler#current()}.
     */
    Handler newConnection() {
        return new Handler(lastEventId, generation.incrementAndGet());
    }

    /**
     * One connection's protocol handling: on an HTTP/1.1 connection (behind TLS or not) it writes
     * the request and reads the response's bytes; on an HTTP/2 stream channel it writes a HEADERS
     * frame and reads HEADERS and DATA frames.
     */
    final class Handler extends ChannelInboundHandlerAdapter implements SseStreamDecoder.Listener {
        private final String resumeFrom;
        private final int number;
        private final SseStreamDecoder decoder = new SseStreamDecoder(this);
        private Runnable onClose = () -> { };

        private Handler(String resumeFrom, int number) {
            this.resumeFrom = resumeFrom;
            this.number = number;
        }

        /** Whether this is the subscriber's last connection made: no other has been opened since. */
        boolean current() {
            return number == generation.get();
        }

        /** Runs after the connection closed (to reconnect, say). */
        Handler onClose(Runnable action) {
            onClose = action;
            return this;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.writeAndFlush(channel instanceof Http2StreamChannel ? http2Request() : http1Request());
        }

        private ByteBuf http1Request() {
            StringBuilder request = new StringBuilder("GET ").append(url.path(topicName)).append(" HTTP/1.1\r\nHost: ")
                    .append(url.authority()).append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
            if (resumeFrom != null) {
                request.append("Last-Event-ID: ").append(resumeFrom).append("\r\n");
            }
            request.append("\r\n");
            return Unpooled.wrappedBuffer(request.toString().getBytes(StandardCharsets.US_ASCII));
        }

        private Http2HeadersFrame http2Request() {
            Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme(url.scheme()).authority(url.authority())
                    .path(url.path(topicName)).add("accept", "text/event-stream").add("cache-control", "no-cache");
            if (resumeFrom != null) {
                headers.add("last-event-id", resumeFrom);
            }
            return new DefaultHttp2HeadersFrame(headers, true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                switch (msg) {
                    case ByteBuf bytes -> feed(bytes);
                    case Http2HeadersFrame head when head.headers().status() != null ->
                            decoder.head(Integer.parseInt(head.headers().status().toString()));
                    case Http2DataFrame data -> feed(data.content());
                    default -> { } // trailers, or frames the stream channel handles itself
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void feed(ByteBuf buf) {
            byte[] scratch = SCRATCH.get();
            while (buf.isReadable()) {
                int length = Math.min(scratch.length, buf.readableBytes());
                buf.readBytes(scratch, 0, length);
                decoder.feed(scratch, 0, length);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            status.completeExceptionally(new IllegalStateException("closed before a response"));
            onClose.run();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void onStatus(int code) {
            closed = false;
            status.complete(code);
            reconnecting.set(false);
            if (code == 200) {
                checkResumed(System.nanoTime());
            }
        }

        @Override
        public void onId(byte[] id, int length) {
            lastEventId = new String(id, 0, length, StandardCharsets.US_ASCII);
        }

        @Override
        public void onEvent(long seq, long sentNanos) {
            long now = System.nanoTime();
            if (seq > lastSeq) {
                lastSeq = seq;
                received++;
            } else {
                outOfOrder++; // a repeat or a late arrival: either breaks the guarantee
            }
            if (seq == recordIdOfSeq) {
                recordedId = lastEventId;
            }
            checkResumed(now);
            if (sentNanos >= measureFromNanos) {
                long micros = (now - sentNanos) / 1000;
                latencies.record(micros);
                if (timeline != null) {
                    timeline.record(sentNanos, micros);
                }
            }
        }

        @Override
        public void onOtherEvent() {
            others++;
        }
    }
}
