package dev.herald.spring.web;

import dev.herald.core.Event;
import dev.herald.core.Hub;
import dev.herald.core.InvalidSubscriptionException;
import dev.herald.core.Publication;
import dev.herald.core.SubscribeRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Herald's HTTP API, at {@code herald.endpoint.path} ({@code /events} by default):
 * <ul>
 *   <li>{@code GET ?topic=a&topic=b[&lastEventId=..][&clientId=..]}: subscribe; an SSE stream.</li>
 *   <li>{@code POST} with a JSON body: publish; answers {@code 201 {"id": "..."}}.</li>
 * </ul>
 * Errors are RFC 9457 problem responses ({@link HeraldProblems}). Requests run on the
 * container's threads and return at once; streams are written by the hub.
 */
@RestController
public class HeraldEndpoints {

    /** Room for the JSON around the largest accepted data. */
    private static final int ENVELOPE_BYTES = 16 * 1024;

    private final Hub hub;
    private final EventStreams streams;
    private final HeraldAuthenticator authenticator;
    private final PublishRequests publishRequests = new PublishRequests();
    private final int maxBodyBytes;

    public HeraldEndpoints(Hub hub, EventStreams streams, HeraldAuthenticator authenticator, int maxEventBytes) {
        this.hub = hub;
        this.streams = streams;
        this.authenticator = authenticator;
        // JSON escaping can make data up to six times longer (\\u0000), plus the envelope.
        this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE - 8, (long) maxEventBytes * 6 + ENVELOPE_BYTES);
    }

    @GetMapping("${herald.endpoint.path:/events}")
    public void subscribe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] topics = request.getParameterValues("topic");
        if (topics == null || topics.length == 0) {
            throw new InvalidSubscriptionException("at least one \"topic\" query parameter is required, e.g. ?topic=orders/{id}");
        }
        SubscribeRequest.Builder subscription = SubscribeRequest.builder()
                .subscriber(authenticator.authenticateSubscriber(request))
                .clientId(request.getParameter("clientId"))
                .lastEventId(EventStreams.lastEventId(request));
        for (String topic : topics) {
            subscription.topic(topic);
        }
        streams.open(request, response, subscription.build());
    }

    @PostMapping("${herald.endpoint.path:/events}")
    public ResponseEntity<Map<String, Object>> publish(HttpServletRequest request) throws IOException {
        String contentType = request.getContentType();
        if (contentType == null || !isJson(contentType)) {
            throw new UnsupportedContentTypeException(contentType);
        }
        Publication publication = publishRequests.read(readBody(request));
        authenticator.authorizePublish(request, publication);
        Event event = hub.publish(publication);
        return ResponseEntity.status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON)
                .body(PublishRequests.created(event.id()));
    }

    private static boolean isJson(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isCompatibleWith(MediaType.APPLICATION_JSON)
                    || (type.getType().equals("application") && type.getSubtype().endsWith("+json"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] readBody(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw new RequestTooLargeException(maxBodyBytes);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (body.size() + read > maxBodyBytes) {
                    throw new RequestTooLargeException(maxBodyBytes);
                }
                body.write(buffer, 0, read);
            }
        }
        return body.toByteArray();
    }
}
