package dev.herald.http;

import dev.herald.core.HeraldException;

/** The request carries no valid credentials (answered 401). */
public class AuthenticationRequiredException extends HeraldException {

    public AuthenticationRequiredException(String message) {
        super(message);
    }
}
