package dev.herald.http;

import dev.herald.core.HeraldException;
import java.util.List;

/** The path exists but does not answer this method (answered 405 with an {@code Allow} header). */
public final class MethodNotAllowedException extends HeraldException {

    private final List<String> allowed;

    public MethodNotAllowedException(String method, List<String> allowed) {
        super(method + " is not allowed here; use " + String.join(" or ", allowed));
        this.allowed = List.copyOf(allowed);
    }

    /** The methods the path answers, for the {@code Allow} header. */
    public List<String> allowed() {
        return allowed;
    }
}
