package dev.herald.http;

import dev.herald.core.HeraldException;

/** The request line (answered 414) or the headers (answered 431) are larger than the server reads. */
public final class RequestHeadTooLargeException extends HeraldException {

    /** Which part of the head was too large. */
    public enum Part {
        /** The request line: the URL. */
        URI,
        /** The header fields. */
        HEADERS
    }

    private final Part part;

    public RequestHeadTooLargeException(Part part, int limit) {
        super((part == Part.URI ? "the request line" : "the headers") + " exceed " + limit + " bytes");
        this.part = part;
    }

    public Part part() {
        return part;
    }
}
