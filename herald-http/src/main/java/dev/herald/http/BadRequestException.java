package dev.herald.http;

import dev.herald.core.HeraldException;

/** The request is not valid HTTP (a malformed head or body framing, a missing or repeated Host): answered 400. */
public final class BadRequestException extends HeraldException {

    public BadRequestException(String message) {
        super(message);
    }
}
