package dev.herald.http;

import dev.herald.core.HeraldException;

/**
 * A browser page from another origin asked, and that origin is not allowed (answered 403). Also
 * a cookie-authenticated publish without an {@code Origin} header, which could be a forged
 * cross-site request.
 */
public final class OriginNotAllowedException extends HeraldException {

    public OriginNotAllowedException(String message) {
        super(message);
    }
}
