package dev.herald.http;

import dev.herald.core.HeraldException;

/** A publish request whose body is not JSON (answered 415). */
public final class UnsupportedContentTypeException extends HeraldException {

    public UnsupportedContentTypeException(String contentType) {
        super("publish expects Content-Type: application/json, got " + (contentType == null ? "none" : contentType));
    }
}
