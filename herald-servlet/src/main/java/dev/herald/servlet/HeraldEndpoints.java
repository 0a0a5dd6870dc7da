package dev.herald.servlet;

import dev.herald.core.Event;
import dev.herald.core.Hub;
import dev.herald.http.Access;
import dev.herald.http.HeraldApi;
import dev.herald.http.PublishRequests;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
 * Each request is read, authenticated and authorized by {@link HeraldApi}, the same rules as every
 * transport; refusals are RFC 9457 problems ({@link HeraldProblems}). Requests run on the
 * container's threads and return at once; streams are written by the hub.
 */
@RestController
public class HeraldEndpoints {

    private final HeraldApi api;
    private final Hub hub;
    private final EventStreams streams;
    private final TrustedProxies proxies;

    /**
     * Called by the auto-configuration.
     *
     * @param api reads, authenticates and authorizes every request
     * @param streams opens the streams of {@code GET}
     * @param proxies the proxies whose {@code X-Forwarded-For} names the client
     */
    public HeraldEndpoints(HeraldApi api, EventStreams streams, TrustedProxies proxies) {
        this.api = api;
        this.hub = api.hub();
        this.streams = streams;
        this.proxies = proxies;
    }

    /**
     * Subscribes, on a container thread: returns once the stream is handed to the hub, whose
     * writer streams from then on. A refusal is thrown before anything is written.
     */
    @GetMapping("${herald.endpoint.path:/events}")
    public void subscribe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletRequestView view = new ServletRequestView(request, proxies);
        Access access = api.authenticate(view);
        streams.open(request, response, api.subscription(view, access));
    }

    /** Publishes the JSON body, on a container thread; answers {@code 201} with the event's id. */
    @PostMapping("${herald.endpoint.path:/events}")
    public ResponseEntity<String> publish(HttpServletRequest request) throws IOException {
        ServletRequestView view = new ServletRequestView(request, proxies);
        Access access = api.authenticate(view);
        byte[] body = RequestBodies.read(request, api.maxBodyBytes());
        Event event = hub.publish(api.publication(view, access, body));
        return ResponseEntity.status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON)
                .body(PublishRequests.created(event.id()));
    }
}
