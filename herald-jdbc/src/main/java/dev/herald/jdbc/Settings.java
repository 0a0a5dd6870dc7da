package dev.herald.jdbc;

import java.time.Duration;
import java.util.Objects;

/** Checks of the settings the log's and the cursors' builders take. Stateless. */
final class Settings {

    private Settings() {
    }

    /** The value, if it is at least {@code min}. */
    static int atLeast(int min, int value, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** The duration, if it is longer than zero. */
    static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }
}
