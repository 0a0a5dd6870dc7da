package dev.herald.servlet;

import dev.herald.http.HeraldApi;
import dev.herald.http.TrustedProxies;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The presence API on Spring MVC at {@code herald.endpoint.presence-path} (registered only when
 * that is set, say to {@code /presence}): {@code ?topic=T} counts the streams selecting T,
 * {@code ?user=U} tells whether U is connected, neither gives the cluster's summary; across every
 * node in cluster mode. Only for callers granted presence (see {@link HeraldApi#presence}).
 */
@RestController
public class HeraldPresenceEndpoint {

    private final HeraldApi api;
    private final TrustedProxies proxies;

    /**
     * Called by the auto-configuration.
     *
     * @param api reads, authenticates and authorizes every request
     * @param proxies the proxies whose {@code X-Forwarded-For} names the client
     */
    public HeraldPresenceEndpoint(HeraldApi api, TrustedProxies proxies) {
        this.api = api;
        this.proxies = proxies;
    }

    /** Answers the presence query as JSON, not cached, on a container thread. */
    @GetMapping("${herald.endpoint.presence-path}")
    public ResponseEntity<String> presence(HttpServletRequest request) {
        ServletRequestView view = new ServletRequestView(request, proxies);
        String json = api.presence(view, api.authenticate(view));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noStore()).body(json);
    }
}
