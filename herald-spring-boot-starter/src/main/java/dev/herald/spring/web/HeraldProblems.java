package dev.herald.spring.web;

import dev.herald.core.ConnectionLimitException;
import dev.herald.core.EventLogException;
import dev.herald.core.EventTooLargeException;
import dev.herald.core.HeraldException;
import dev.herald.core.HubClosedException;
import dev.herald.core.InvalidEventException;
import dev.herald.core.InvalidLastEventIdException;
import dev.herald.core.InvalidSubscriptionException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers every {@link HeraldException} with an RFC 9457 problem ({@code application/problem+json})
 * whose {@code type} names the failure ({@code urn:herald:problem:<slug>}, listed in
 * {@code docs/PROTOCOL.md}) and whose {@code detail} says what was wrong. Applies to Herald's
 * endpoints and to any controller that uses {@link EventStreams}; other exceptions are left to the
 * application.
 */
@RestControllerAdvice
public class HeraldProblems {

    private static final Logger log = LoggerFactory.getLogger(HeraldProblems.class);
    private static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    @ExceptionHandler(HeraldException.class)
    public ResponseEntity<ProblemDetail> handle(HeraldException e, HttpServletRequest request) {
        Problem problem = classify(e);
        if (problem.status().is5xxServerError()) {
            log.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        } else if (log.isDebugEnabled()) {
            log.debug("{} {} refused: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), e.getMessage());
        body.setType(URI.create("urn:herald:problem:" + problem.slug()));
        body.setTitle(problem.title());
        body.setInstance(URI.create(request.getRequestURI()));
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.status()).contentType(PROBLEM_JSON);
        if (problem.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, problem.retryAfter().toSeconds())));
        }
        if (e instanceof ConnectionLimitException limit) {
            body.setProperty("limit", limit.limit());
            body.setProperty("scope", limit.scope().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (e instanceof EventTooLargeException tooLarge) {
            body.setProperty("size", tooLarge.size());
            body.setProperty("limit", tooLarge.limit());
        }
        return response.body(body);
    }

    private record Problem(HttpStatus status, String slug, String title, Duration retryAfter) {
    }

    private static Problem classify(HeraldException e) {
        return switch (e) {
            case EventTooLargeException x -> new Problem(HttpStatus.CONTENT_TOO_LARGE, "event-too-large", "Event too large", null);
            case InvalidEventException x -> new Problem(HttpStatus.BAD_REQUEST, "invalid-event", "Invalid event", null);
            case InvalidLastEventIdException x -> new Problem(HttpStatus.BAD_REQUEST, "invalid-last-event-id", "Invalid Last-Event-ID", null);
            case InvalidSubscriptionException x -> new Problem(HttpStatus.BAD_REQUEST, "invalid-subscription", "Invalid subscription", null);
            case ConnectionLimitException x when x.scope() == ConnectionLimitException.Scope.USER ->
                    new Problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-connections", "Too many connections for this user", x.retryAfter());
            case ConnectionLimitException x ->
                    new Problem(HttpStatus.SERVICE_UNAVAILABLE, "hub-full", "The hub is at its connection limit", x.retryAfter());
            case HubClosedException x -> new Problem(HttpStatus.SERVICE_UNAVAILABLE, "shutting-down", "The hub is shutting down", Duration.ofSeconds(5));
            case EventLogException x -> new Problem(HttpStatus.SERVICE_UNAVAILABLE, "storage-unavailable", "Event storage unavailable", Duration.ofSeconds(5));
            case AuthenticationRequiredException x -> new Problem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required", null);
            case AccessDeniedException x -> new Problem(HttpStatus.FORBIDDEN, "forbidden", "Access denied", null);
            case UnsupportedContentTypeException x -> new Problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type", null);
            case RequestTooLargeException x -> new Problem(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request too large", null);
            default -> new Problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", null);
        };
    }
}
