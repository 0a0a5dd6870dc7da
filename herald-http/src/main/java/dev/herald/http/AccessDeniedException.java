package dev.herald.http;

import dev.herald.core.HeraldException;

/** The caller is known but may not do this (answered 403). */
public class AccessDeniedException extends HeraldException {

    public AccessDeniedException(String message) {
        super(message);
    }
}
