package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Connection;
import dev.herald.core.ConnectionLimitException;
import dev.herald.core.ConnectionLimits;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * A stream opened on a servlet request with a real hub: the hub's writer writes the response, and
 * the container's async callbacks end the connection. The servlet objects are Spring's fakes.
 */
class EventStreamsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Hub hub = Hub.builder().limits(ConnectionLimits.of(1, 1)).build();
    private final EventStreams streams = new EventStreams(hub);

    @AfterEach
    void closeHub() {
        hub.close();
    }

    @Test
    void opensAnEventStreamThatReceivesWhatIsPublished() throws Exception {
        MockHttpServletRequest request = streamRequest();
        MockHttpServletResponse response = new MockHttpServletResponse();

        Connection connection = streams.open(request, response, SubscribeRequest.topics("news").build());

        assertThat(request.isAsyncStarted()).isTrue();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentType()).startsWith("text/event-stream");
        assertThat(response.getHeader("Cache-Control")).isEqualTo("no-cache");
        assertThat(response.getHeader("X-Accel-Buffering")).isEqualTo("no");
        assertThat(response.getHeader(EventStreams.LAST_EVENT_ID)).isEqualTo(connection.resumePoint());

        hub.publish(Publication.to("news").data("hello").build());
        await(() -> body(response).contains("data: hello\n"), "the event reaches the response");
    }

    @Test
    void aClientThatLeftIsReleasedAndItsResponseIsNeverWrittenAgain() throws Exception {
        MockHttpServletRequest request = streamRequest();
        MockHttpServletResponse response = new MockHttpServletResponse();
        Connection connection = streams.open(request, response, SubscribeRequest.topics("news").build());
        hub.publish(Publication.to("news").data("before").build());
        await(() -> body(response).contains("data: before\n"), "the first event is written");

        // What the container does when a write fails because the client went away.
        MockAsyncContext async = (MockAsyncContext) request.getAsyncContext();
        for (AsyncListener listener : List.copyOf(async.getListeners())) {
            listener.onError(new AsyncEvent(async, request, response, new IOException("Broken pipe")));
        }

        await(() -> !connection.isOpen() && hub.stats().connections() == 0, "the connection is released");
        String written = body(response);
        hub.publish(Publication.to("news").data("after").build());
        // The slot is free again: a new stream may open (the hub allows one), and it gets the event...
        MockHttpServletResponse next = new MockHttpServletResponse();
        streams.open(streamRequest(), next, SubscribeRequest.topics("news").lastEventId(connection.resumePoint()).build());
        await(() -> body(next).contains("data: after\n"), "the next stream receives the event");
        // ...while the old response, which the container may already have recycled, is left alone.
        assertThat(body(response)).isEqualTo(written);
    }

    @Test
    void aRefusedStreamStartsNoAsyncRequestAndWritesNothing() throws Exception {
        streams.open(streamRequest(), new MockHttpServletResponse(), SubscribeRequest.topics("news").build());
        MockHttpServletRequest refused = streamRequest();
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThatThrownBy(() -> streams.open(refused, response, SubscribeRequest.topics("news").build()))
                .isInstanceOf(ConnectionLimitException.class);

        assertThat(refused.isAsyncStarted()).isFalse();
        assertThat(response.isCommitted()).isFalse();
        assertThat(response.getContentType()).isNull();
    }

    private static MockHttpServletRequest streamRequest() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/events");
        request.setAsyncSupported(true);
        return request;
    }

    private static String body(MockHttpServletResponse response) {
        try {
            return response.getContentAsString();
        } catch (UnsupportedEncodingException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
