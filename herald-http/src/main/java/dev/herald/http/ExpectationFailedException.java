package dev.herald.http;

import dev.herald.core.HeraldException;

/** An {@code Expect} header other than {@code 100-continue} (answered 417). */
public final class ExpectationFailedException extends HeraldException {

    public ExpectationFailedException(String expectation) {
        super("only \"Expect: 100-continue\" is supported, got " + expectation);
    }
}
