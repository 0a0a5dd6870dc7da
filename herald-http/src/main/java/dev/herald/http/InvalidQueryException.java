package dev.herald.http;

import dev.herald.core.HeraldException;

/** A query the API cannot answer as asked, such as a presence query naming a topic and a user (answered 400). */
public final class InvalidQueryException extends HeraldException {

    public InvalidQueryException(String message) {
        super(message);
    }
}
