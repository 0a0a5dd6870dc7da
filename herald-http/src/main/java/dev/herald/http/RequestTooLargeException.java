package dev.herald.http;

import dev.herald.core.HeraldException;

/** A publish request body larger than the hub accepts (answered 413). */
public final class RequestTooLargeException extends HeraldException {

    public RequestTooLargeException(long limit) {
        super("the request body exceeds " + limit + " bytes");
    }
}
