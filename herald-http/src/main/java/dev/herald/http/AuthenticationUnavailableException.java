package dev.herald.http;

import dev.herald.core.HeraldException;

/**
 * Whether the caller may proceed cannot be decided now: the key set or the application's
 * authorization callback is unreachable or slow (answered 503 with {@code Retry-After}).
 */
public final class AuthenticationUnavailableException extends HeraldException {

    public AuthenticationUnavailableException(String message) {
        super(message);
    }
}
