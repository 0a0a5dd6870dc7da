package dev.herald.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small property-based testing harness: runs a property (a check that must hold for every value) on
 * many generated values, and when one fails, shrinks it to a simpler value that fails the same way and
 * reports both with the seed that produced them.
 *
 * <h2>Use</h2>
 *
 * A generator is a {@code Function<Draws, T>} that makes every random choice through {@link Draws};
 * a property is a {@code Consumer<T>} that throws (an assertion error, say) when it does not hold:
 *
 * <pre>{@code
 * @Test
 * void reversingTwiceGivesBackTheList() {
 *     PropertyCheck.forAll(1000, draws -> draws.list(0, 20, 5, d -> d.between(-9, 9)), String::valueOf,
 *             list -> assertThat(reversed(reversed(list))).isEqualTo(list));
 * }
 * }</pre>
 *
 * Generators should map a draw of zero to their simplest choice (the first {@link Draws#element},
 * {@code min} of {@link Draws#between}, index 0 of {@link Draws#pick}, false from {@link
 * Draws#chance}, the shortest {@link Draws#list}), since that is where shrinking leads. {@link
 * #samples} gives a fixed set of generated values, for checking that a generator reaches the cases a
 * property is about.
 *
 * <h2>Seeds</h2>
 *
 * Each {@link #forAll} run picks a random seed, prints it when every try passes and puts it in the
 * failure message when one does not. Rerun with {@code -Dherald.properties.seed=<seed>} (for example
 * {@code ./mvnw -pl herald-core test -Dtest=SseEncoderPropertiesTest -Dherald.properties.seed=42}) to
 * generate the same values again, the failing one included.
 *
 * <h2>Shrinking</h2>
 *
 * The draws that produced a failing value are recorded; shrinking edits them (drops runs of draws,
 * lowers each toward zero), replays the generator on the edited draws and keeps an edit whenever the
 * property still fails with the same exception class.
 *
 * <h2>Why our own</h2>
 *
 * A few hundred lines with no dependency beyond the JDK, which is all our properties need: no test
 * engine, no annotations, nothing to keep in step with JUnit; the properties are plain JUnit tests.
 */
public final class PropertyCheck {

    /** The system property that fixes the seed. */
    public static final String SEED_PROPERTY = "herald.properties.seed";

    /** How many replays shrinking may try before it reports what it has. */
    private static final int SHRINK_BUDGET = 20_000;

    private PropertyCheck() {
    }

    /**
     * Runs {@code property} on {@code tries} values from {@code generator}; if one fails, shrinks it
     * and throws an {@link AssertionError} naming the try, the seed, the shrunk and the original value
     * (each as {@code show} writes it), with the shrunk value's failure as its cause.
     */
    public static <T> void forAll(int tries, Function<Draws, T> generator, Function<T, String> show, Consumer<T> property) {
        long seed = Long.getLong(SEED_PROPERTY, ThreadLocalRandom.current().nextLong());
        Random random = new Random(seed);
        for (int i = 1; i <= tries; i++) {
            Draws draws = Draws.random(random);
            T value = generator.apply(draws);
            Throwable failure = failure(property, value);
            if (failure != null) {
                Shrunk<T> shrunk = shrink(draws.recorded(), value, failure, generator, property);
                throw new AssertionError("falsified on try " + i + " of " + tries + " (seed " + seed
                        + ", rerun with -D" + SEED_PROPERTY + "=" + seed + ") after " + shrunk.steps() + " shrinking steps"
                        + "\n  shrunk:   " + show.apply(shrunk.value())
                        + "\n  original: " + show.apply(value)
                        + "\n  failure:  " + shrunk.failure(), shrunk.failure());
            }
        }
        System.out.println(caller() + ": " + tries + " tries passed (seed " + seed + ")");
    }

    /** {@code count} values from {@code generator}, the same ones on every run (the seed is fixed). */
    public static <T> List<T> samples(int count, Function<Draws, T> generator) {
        Random random = new Random(1);
        List<T> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(generator.apply(Draws.random(random)));
        }
        return values;
    }

    /** The class and method that called {@link #forAll}: the property's test. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(PropertyCheck.class.getName()))
                .findFirst()
                .map(frame -> frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "." + frame.getMethodName())
                .orElse("property"));
    }

    private static <T> Throwable failure(Consumer<T> property, T value) {
        try {
            property.accept(value);
            return null;
        } catch (Throwable failure) {
            return failure;
        }
    }

    private record Shrunk<T>(T value, Throwable failure, int steps) {
    }

    private record Attempt<T>(long[] draws, T value, Throwable failure) {
    }

    private static <T> Shrunk<T> shrink(long[] draws, T value, Throwable failure, Function<Draws, T> generator, Consumer<T> property) {
        long[] best = draws;
        T bestValue = value;
        Throwable bestFailure = failure;
        int steps = 0;
        int budget = SHRINK_BUDGET;
        boolean improved = true;
        while (improved && budget > 0) {
            improved = false;
            // Drop runs of draws, longest first: fewer draws, fewer or shorter parts of the value.
            for (int size : new int[] {16, 8, 4, 2, 1}) {
                for (int at = 0; at + size <= best.length && budget > 0; ) {
                    long[] candidate = new long[best.length - size];
                    System.arraycopy(best, 0, candidate, 0, at);
                    System.arraycopy(best, at + size, candidate, at, best.length - at - size);
                    budget--;
                    Attempt<T> attempt = attempt(candidate, generator, property, failure);
                    if (attempt != null && attempt.draws().length < best.length) {
                        best = attempt.draws();
                        bestValue = attempt.value();
                        bestFailure = attempt.failure();
                        steps++;
                        improved = true;
                    } else {
                        at++;
                    }
                }
            }
            // Lower each draw toward zero, the simplest choice.
            for (int at = 0; at < best.length && budget > 0; at++) {
                long original = best[at];
                for (long smaller : new long[] {0, original / 2, original - 1}) {
                    if (smaller < 0 || smaller >= best[at] || budget <= 0) {
                        continue;
                    }
                    long[] candidate = best.clone();
                    candidate[at] = smaller;
                    budget--;
                    Attempt<T> attempt = attempt(candidate, generator, property, failure);
                    if (attempt != null) {
                        best = attempt.draws();
                        bestValue = attempt.value();
                        bestFailure = attempt.failure();
                        steps++;
                        improved = true;
                        break;
                    }
                }
            }
        }
        return new Shrunk<>(bestValue, bestFailure, steps);
    }

    /** The candidate draws replayed, if the value they give fails the same way as the original. */
    private static <T> Attempt<T> attempt(long[] candidate, Function<Draws, T> generator, Consumer<T> property, Throwable original) {
        Draws draws = Draws.replay(candidate);
        T value = generator.apply(draws);
        Throwable failure = failure(property, value);
        if (failure == null || failure.getClass() != original.getClass()) {
            return null;
        }
        return new Attempt<>(draws.recorded(), value, failure);
    }

    /**
     * The source of every random choice a generator makes, recorded so that a value can be replayed
     * from its draws. Zero is always the simplest choice. Replayed draws past the end of what was
     * recorded are zero, and each is capped to its bound, so any edited draws still give a value.
     */
    public static final class Draws {
        private final Random random;
        private final long[] replay;
        private long[] recorded = new long[16];
        private int count;

        private Draws(Random random, long[] replay) {
            this.random = random;
            this.replay = replay;
        }

        /** Draws from {@code random}. */
        public static Draws random(Random random) {
            return new Draws(random, null);
        }

        /** Draws that give these values again (as {@link #recorded()} returned them). */
        public static Draws replay(long[] draws) {
            return new Draws(null, draws);
        }

        /** Every draw made so far, in order. */
        public long[] recorded() {
            return Arrays.copyOf(recorded, count);
        }

        /** A number in {@code [0, bound)}. */
        public long below(long bound) {
            long value;
            if (random != null) {
                value = random.nextLong(bound);
            } else {
                value = count < replay.length ? Math.min(replay[count], bound - 1) : 0;
            }
            if (count == recorded.length) {
                recorded = Arrays.copyOf(recorded, count * 2);
            }
            recorded[count++] = value;
            return value;
        }

        /** A number in {@code [min, max]}; zero draws give {@code min}. */
        public int between(int min, int max) {
            return (int) (min + below((long) max - min + 1));
        }

        /** A number in {@code [min, max]}; zero draws give {@code min}. Needs {@code max - min < Long.MAX_VALUE}. */
        public long between(long min, long max) {
            return min + below(max - min + 1);
        }

        /** True with the given percent chance; zero draws give false. */
        public boolean chance(int percent) {
            return below(100) >= 100 - percent;
        }

        /** An index chosen with these weights; zero draws give 0. */
        public int pick(int... weights) {
            long roll = below(Arrays.stream(weights).sum());
            for (int i = 0; i < weights.length; i++) {
                roll -= weights[i];
                if (roll < 0) {
                    return i;
                }
            }
            throw new AssertionError();
        }

        /** One of the choices; zero draws give the first. */
        @SafeVarargs
        public final <T> T element(T... choices) {
            return choices[(int) below(choices.length)];
        }

        /**
         * A list of {@code min} to {@code max} elements, about {@code averageExtra} more than {@code
         * min} on average; its length is drawn element by element, so that dropping draws drops elements.
         */
        public <T> List<T> list(int min, int max, int averageExtra, Function<Draws, T> element) {
            List<T> out = new ArrayList<>();
            while (out.size() < max && (out.size() < min || below(averageExtra + 1) != 0)) {
                out.add(element.apply(this));
            }
            return out;
        }
    }
}
