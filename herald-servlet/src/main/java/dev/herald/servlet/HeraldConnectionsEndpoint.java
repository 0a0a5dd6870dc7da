package dev.herald.servlet;

import dev.herald.core.HeraldException;
import dev.herald.http.HeraldApi;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ends a user's streams on every node ({@code DELETE ?user=U}, a logout) at
 * {@code herald.endpoint.connections-path}, registered only when that is set. Allowed to admin
 * tokens and to the user itself (see {@link HeraldApi#endStreams}); answers {@code 202} once every
 * node can see the request.
 */
@RestController
public class HeraldConnectionsEndpoint {

    private final HeraldApi api;
    private final TrustedProxies proxies;

    /**
     * Called by the auto-configuration.
     *
     * @param api reads, authenticates and authorizes every request
     * @param proxies the proxies whose {@code X-Forwarded-For} names the client
     */
    public HeraldConnectionsEndpoint(HeraldApi api, TrustedProxies proxies) {
        this.api = api;
        this.proxies = proxies;
    }

    /**
     * Ends the user's streams, on a container thread that waits until every node can see the
     * request; a refusal is thrown as the {@link HeraldException} it is.
     */
    @DeleteMapping("${herald.endpoint.connections-path}")
    public ResponseEntity<String> endStreams(HttpServletRequest request) {
        ServletRequestView view = new ServletRequestView(request, proxies);
        String json;
        try {
            json = api.endStreams(view, api.authenticate(view)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof HeraldException refused) {
                throw refused;
            }
            throw e;
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON).body(json);
    }
}
