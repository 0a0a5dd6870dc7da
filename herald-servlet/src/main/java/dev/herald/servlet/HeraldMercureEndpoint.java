package dev.herald.servlet;

import dev.herald.core.Event;
import dev.herald.core.EventIds;
import dev.herald.http.Access;
import dev.herald.http.HeraldApi;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Mercure protocol on Spring MVC at {@code herald.mercure.path} (registered only when that is
 * set, say to {@code /.well-known/mercure}): {@code GET ?topic=...} subscribes with Mercure ids,
 * {@code POST} of a form publishes and answers the update's id as {@code text/plain}. Read,
 * authenticated and authorized by {@link HeraldApi}, as on every transport.
 */
@RestController
public class HeraldMercureEndpoint {

    private final HeraldApi api;
    private final EventStreams streams;
    private final TrustedProxies proxies;

    /** Called by the auto-configuration. */
    public HeraldMercureEndpoint(HeraldApi api, EventStreams streams, TrustedProxies proxies) {
        this.api = api;
        this.streams = streams;
        this.proxies = proxies;
    }

    /** Subscribes, on a container thread; the hub streams from then on. */
    @GetMapping("${herald.mercure.path}")
    public void subscribe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletRequestView view = new ServletRequestView(request, proxies);
        Access access = api.authenticate(view);
        api.mercureStreamOpened(streams.open(request, response, api.mercureSubscription(view, access)), access);
    }

    /**
     * Mercure's subscriptions API, when {@code herald.mercure.subscriptions} is on. Tomcat refuses
     * escaped slashes in paths unless told otherwise, so one topic's subscriptions are reachable
     * here only for topics without {@code /}, or with the container set to pass them through.
     */
    @GetMapping({"${herald.mercure.path}/subscriptions", "${herald.mercure.path}/subscriptions/**"})
    public ResponseEntity<String> subscriptions(HttpServletRequest request) {
        ServletRequestView view = new ServletRequestView(request, proxies);
        Access access = api.authenticate(view);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/ld+json"))
                .header("Cache-Control", "must-revalidate")
                .body(api.mercureSubscriptions(view, access));
    }

    /** Publishes the form, on a container thread; answers {@code 200} with the update's id. */
    @PostMapping("${herald.mercure.path}")
    public ResponseEntity<String> publish(HttpServletRequest request) throws IOException {
        ServletRequestView view = new ServletRequestView(request, proxies);
        Access access = api.authenticate(view);
        byte[] body = RequestBodies.read(request, api.maxBodyBytes());
        Event event = api.hub().publish(api.mercurePublication(view, access, body));
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(EventIds.mercureId(event));
    }
}
