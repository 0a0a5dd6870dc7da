package dev.herald.http;

import dev.herald.core.HeraldException;

/** A publish request whose body is not of the media type its endpoint reads (answered 415). */
public final class UnsupportedContentTypeException extends HeraldException {

    /** For a body that should have been JSON. */
    public UnsupportedContentTypeException(String contentType) {
        this(contentType, "application/json");
    }

    public UnsupportedContentTypeException(String contentType, String expected) {
        super("publish expects Content-Type: " + expected + ", got " + (contentType == null ? "none" : contentType));
    }
}
