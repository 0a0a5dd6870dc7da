package dev.herald.http;

import dev.herald.core.HeraldException;
import java.time.Duration;

/** The request's head or body did not arrive in time (answered 408; the connection is closed). */
public final class RequestTimeoutException extends HeraldException {

    public RequestTimeoutException(Duration limit) {
        super("the request did not arrive within " + limit.toMillis() + " ms");
    }
}
