package dev.herald.http;

import dev.herald.core.TopicSelector;
import java.util.List;

/**
 * Who makes a request and what they may do: the hook authentication plugs into, the same for
 * every transport. Herald's own are built by {@link Authentication} (JWTs, an HTTP callback to the
 * application, anonymous access); an application may define its own, for its sessions or API keys:
 *
 * <pre>{@code
 * HeraldAuthenticator sessions = request -> {
 *     String user = mySessions.userOf(request.cookie("SESSION"));   // null if not logged in
 *     if (user == null) {
 *         throw new AuthenticationRequiredException("log in first");
 *     }
 *     return Access.user(user).subscribe("users/" + user + "/{+path}").credential(Access.Credential.COOKIE).build();
 * };
 * }</pre>
 *
 * <p>The transport then applies the answer: it checks the requested topics against
 * {@link Access#subscribe()}, publications against {@link Access#publish()}, delivers private
 * events by {@link Access#privateTopics()} and ends streams at {@link Access#expiresAt()}.
 *
 * <p>Threading: called once per request, before anything is written to the response. On a servlet
 * container, on the request's thread; on Netty, off the event loops (on a virtual thread) unless
 * {@link #blocks()} says it never blocks. Throw {@link AuthenticationRequiredException} (401),
 * {@link AccessDeniedException} (403) or {@link AuthenticationUnavailableException} (503) to refuse.
 */
@FunctionalInterface
public interface HeraldAuthenticator extends AutoCloseable {

    /** Who makes this request and what they may do; throws to refuse it. */
    Access authenticate(HttpRequestView request);

    /**
     * Whether {@link #authenticate} may block (a database, a network call). Transports on event loops
     * call a blocking authenticator on another thread, and a non-blocking one in place. True unless
     * an implementation knows better.
     */
    default boolean blocks() {
        return true;
    }

    /**
     * Releases what the authenticator holds (an HTTP client and its threads); called when the
     * application stops. Does nothing by default.
     */
    @Override
    default void close() {
    }

    /**
     * No authentication: every caller is {@linkplain Access#trusted trusted} as whoever the query
     * parameter names (anonymous without it) and may publish, subscribe to anything and ask for
     * presence. For a hub that only trusted clients can reach (loopback, a private network).
     */
    static HeraldAuthenticator trusting(String userParameter) {
        return new HeraldAuthenticator() {
            @Override
            public Access authenticate(HttpRequestView request) {
                String user = request.parameter(userParameter);
                return Access.trusted(user == null || user.isBlank() ? null : user);
            }

            @Override
            public boolean blocks() {
                return false;
            }
        };
    }

    /**
     * Authentication is not configured, and only callers on this machine are trusted (as
     * {@link #trusting} trusts everyone): a loopback caller that came through no proxy (no
     * {@code X-Forwarded-For} or {@code Forwarded} header) and that addresses this machine by a
     * loopback name ({@code Host}, and {@code Origin} if sent, are {@code localhost}, {@code 127.x}
     * or {@code [::1]}: a web page whose domain was rebound to 127.0.0.1 names its own domain) is
     * trusted as whoever the query parameter names; everyone else is anonymous, with these public
     * selectors. Like Redis's protected mode: safe on a reachable port, usable for development on
     * the same machine.
     */
    static HeraldAuthenticator trustingLoopback(String userParameter, List<TopicSelector> publicTopics) {
        HeraldAuthenticator trusting = trusting(userParameter);
        Access anonymous = Access.anonymous(publicTopics);
        return new HeraldAuthenticator() {
            @Override
            public Access authenticate(HttpRequestView request) {
                String origin = request.header("Origin");
                boolean local = isLoopback(request.remoteAddress())
                        && request.header("X-Forwarded-For") == null && request.header("Forwarded") == null
                        && isLoopbackName(hostOf(request.header("Host")))
                        && (origin == null || isLoopbackName(hostOf(origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", ""))));
                return local ? trusting.authenticate(request) : anonymous;
            }

            @Override
            public boolean blocks() {
                return false;
            }
        };
    }

    /** The host of a {@code host[:port]} authority, brackets kept for IPv6; {@code null} for none. */
    private static String hostOf(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority : authority.substring(0, close + 1);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    /** Whether a host name or address names this machine's loopback interface. */
    private static boolean isLoopbackName(String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || host.equals("[::1]") || isLoopback(host));
    }

    /** Whether the IP address (as text) is a loopback address: 127.0.0.0/8 or ::1. */
    private static boolean isLoopback(String address) {
        if (address == null) {
            return false;
        }
        if (address.equals("::1") || address.equals("0:0:0:0:0:0:0:1") || address.equals("[::1]")) {
            return true;
        }
        if (!address.startsWith("127.")) {
            return false;
        }
        // Four dotted decimal octets, each 0-255 in at most three digits; read in place, as every
        // request from a local caller asks.
        int dots = 0;
        int digits = 0;
        int octet = 0;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '.') {
                if (digits == 0 || ++dots > 3) {
                    return false;
                }
                digits = 0;
                octet = 0;
            } else if (c >= '0' && c <= '9' && ++digits <= 3) {
                octet = octet * 10 + (c - '0');
                if (octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }

    /** Everyone is anonymous: may subscribe to these public selectors and receive public events; nobody publishes. */
    static HeraldAuthenticator anonymousOnly(List<TopicSelector> publicTopics) {
        Access anonymous = Access.anonymous(publicTopics);
        return new HeraldAuthenticator() {
            @Override
            public Access authenticate(HttpRequestView request) {
                return anonymous;
            }

            @Override
            public boolean blocks() {
                return false;
            }
        };
    }
}
