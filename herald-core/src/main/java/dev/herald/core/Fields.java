package dev.herald.core;

/** Field checks shared by the model's constructors. */
final class Fields {

    /** Longest topic, selector, user id, client id or publisher key accepted, in chars. */
    static final int MAX_NAME_LENGTH = 1024;

    private Fields() {
    }

    /**
     * Rejects null, empty, over-long, any ASCII control character (CR, LF and NUL included) and
     * unpaired surrogates.
     */
    static String name(String what, String value, RuntimeExceptionFactory error) {
        if (value == null || value.isEmpty()) {
            throw error.create(what + " must not be empty");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw error.create(what + " is longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw error.create(what + " must not contain control characters (CR, LF, NUL...): " + quote(value));
            }
        }
        return text(what, value, error);
    }

    /**
     * Rejects text that is not valid Unicode: a lone surrogate half (which a JSON string escape can
     * produce) has no UTF-8 form, so every store would replace it, and what was stored would no
     * longer be what was sent.
     */
    static String text(String what, String value, RuntimeExceptionFactory error) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    throw error.create(what + " is not valid Unicode: an unpaired surrogate (\\u"
                            + String.format("%04x", (int) c) + ") at index " + i);
                }
            }
        }
        return value;
    }

    /** A value quoted for an error message, cut short and with control characters made visible. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        int limit = Math.min(value.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\0' -> out.append("\\0");
                case '"' -> out.append("\\\"");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(value.length() > limit ? "...\"" : "\"").toString();
    }

    @FunctionalInterface
    interface RuntimeExceptionFactory {
        RuntimeException create(String message);
    }
}
