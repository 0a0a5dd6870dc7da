package dev.herald.servlet;

import dev.herald.core.HeraldException;
import dev.herald.http.Problem;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers every {@link HeraldException} with an RFC 9457 problem ({@code application/problem+json}),
 * as {@link Problem} maps it: the same statuses and {@code type}s as every Herald transport.
 * Applies to Herald's endpoints and to any controller that uses {@link EventStreams}; other
 * exceptions are left to the application.
 */
@RestControllerAdvice
public class HeraldProblems {

    private static final Logger log = LoggerFactory.getLogger(HeraldProblems.class);

    /**
     * Called by Spring MVC, on the request's thread, when a controller throws a
     * {@link HeraldException}; logs server-side failures at WARN and refusals at DEBUG.
     */
    @ExceptionHandler(HeraldException.class)
    public ResponseEntity<ProblemDetail> handle(HeraldException e, HttpServletRequest request) {
        Problem problem = Problem.of(e);
        if (problem.status() >= 500) {
            log.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        } else if (log.isDebugEnabled()) {
            log.debug("{} {} refused: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(problem.status()), problem.detail());
        body.setType(URI.create(problem.type()));
        body.setTitle(problem.title());
        body.setInstance(URI.create(request.getRequestURI()));
        problem.extras().forEach(body::setProperty);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        problem.headers().forEach(response::header);
        return response.body(body);
    }
}
