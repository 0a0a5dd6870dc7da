package dev.herald.http;

import dev.herald.core.HeraldException;

/** Nothing is served at the path (answered 404). */
public final class NotFoundException extends HeraldException {

    public NotFoundException() {
        super("nothing is served at this path");
    }
}
