package dev.herald.core;

/** A publication was refused because one of its fields is malformed or too large. Nothing was stored. */
public class InvalidEventException extends HeraldException {

    public InvalidEventException(String message) {
        super(message);
    }
}
