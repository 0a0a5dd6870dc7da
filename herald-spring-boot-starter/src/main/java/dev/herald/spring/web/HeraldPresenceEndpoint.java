package dev.herald.spring.web;

import dev.herald.core.Presence;
import dev.herald.http.HeraldAuthenticator;
import dev.herald.http.PresenceRequests;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The presence API on Spring MVC at {@code herald.endpoint.presence-path} (registered only when
 * that is set, say to {@code /presence}): {@code ?topic=T} counts the streams selecting T, {@code ?user=U} tells whether U is
 * connected, neither gives the cluster's summary; across every node in cluster mode. See
 * {@link PresenceRequests}. Refused by {@link HeraldAuthenticator#authorizePresence} as the
 * application decides.
 */
@RestController
public class HeraldPresenceEndpoint {

    private final Presence presence;
    private final HeraldAuthenticator authenticator;

    public HeraldPresenceEndpoint(Presence presence, HeraldAuthenticator authenticator) {
        this.presence = presence;
        this.authenticator = authenticator;
    }

    @GetMapping("${herald.endpoint.presence-path}")
    public ResponseEntity<String> presence(HttpServletRequest request) {
        ServletRequestView view = new ServletRequestView(request);
        authenticator.authorizePresence(view);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).cacheControl(CacheControl.noStore())
                .body(PresenceRequests.answer(presence, view));
    }
}
