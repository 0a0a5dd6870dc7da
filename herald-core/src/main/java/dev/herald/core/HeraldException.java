package dev.herald.core;

/**
 * Base type of every failure Herald reports on purpose. Each subtype names one kind of failure,
 * so transports can map it to a precise response (for HTTP: a status and an RFC 9457 problem).
 */
public abstract class HeraldException extends RuntimeException {

    protected HeraldException(String message) {
        super(message);
    }

    protected HeraldException(String message, Throwable cause) {
        super(message, cause);
    }
}
