package dev.herald.spring.web;

import dev.herald.core.Event;
import dev.herald.core.Hub;
import dev.herald.core.Publication;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.PublishRequests;
import dev.herald.http.RequestTooLargeException;
import dev.herald.http.Subscriptions;
import dev.herald.http.UnsupportedContentTypeException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Herald's HTTP API on Spring MVC, at {@code herald.endpoint.path} ({@code /events} by default):
 * <ul>
 *   <li>{@code GET ?topic=a&topic=b[&lastEventId=..][&clientId=..]}: subscribe; an SSE stream.</li>
 *   <li>{@code POST} with a JSON body: publish; answers {@code 201 {"id": "..."}}.</li>
 * </ul>
 * Requests are read by {@code herald-http}, the same rules as every transport; errors are RFC 9457
 * problems ({@link HeraldProblems}). Requests run on the container's threads and return at once;
 * streams are written by the hub.
 */
@RestController
public class HeraldEndpoints {

    private final Hub hub;
    private final EventStreams streams;
    private final HeraldAuthenticator authenticator;
    private final PublishRequests publishRequests = new PublishRequests();
    private final int maxBodyBytes;

    public HeraldEndpoints(Hub hub, EventStreams streams, HeraldAuthenticator authenticator, int maxEventBytes) {
        this.hub = hub;
        this.streams = streams;
        this.authenticator = authenticator;
        this.maxBodyBytes = PublishRequests.maxBodyBytes(maxEventBytes);
    }

    @GetMapping("${herald.endpoint.path:/events}")
    public void subscribe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletRequestView view = new ServletRequestView(request);
        streams.open(request, response, Subscriptions.read(view, authenticator.authenticateSubscriber(view)));
    }

    @PostMapping("${herald.endpoint.path:/events}")
    public ResponseEntity<String> publish(HttpServletRequest request) throws IOException {
        if (!PublishRequests.isJson(request.getContentType())) {
            throw new UnsupportedContentTypeException(request.getContentType());
        }
        Publication publication = publishRequests.read(readBody(request));
        authenticator.authorizePublish(new ServletRequestView(request), publication);
        Event event = hub.publish(publication);
        return ResponseEntity.status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON)
                .body(PublishRequests.created(event.id()));
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
