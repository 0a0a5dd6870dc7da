package dev.herald.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One of Herald's Lua scripts (this package's {@code *.lua} resources), run as a Redis function.
 *
 * <p>All scripts form one function library, loaded when a node connects. Functions, unlike
 * {@code EVALSHA} scripts, are part of Redis's data: they survive a restart with the data, so
 * commands never need resending after one and calls made in a row run in that order. The
 * library's and functions' names carry a digest of the code, so nodes of different versions can
 * share one Redis. Should Redis lose the library (a restart without persistence, a flush), the
 * first call that finds it missing loads it again.
 */
final class Script {

    private static final List<String> NAMES = List.of("append", "read", "cursors", "presence-publish", "presence-query");
    private static final String SUFFIX;
    private static final String LIBRARY;

    static {
        StringBuilder bodies = new StringBuilder();
        for (String name : NAMES) {
            bodies.append(resource(name));
        }
        SUFFIX = sha1(bodies.toString()).substring(0, 12);
        StringBuilder library = new StringBuilder("#!lua name=herald_").append(SUFFIX).append('\n');
        for (String name : NAMES) {
            library.append("redis.register_function('").append(functionName(name))
                    .append("', function(KEYS, ARGV)\n").append(resource(name)).append("\nend)\n");
        }
        LIBRARY = library.toString();
    }

    private final String function;

    private Script(String function) {
        this.function = function;
    }

    static Script load(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no script " + name);
        }
        return new Script(functionName(name));
    }

    private static String functionName(String name) {
        return "herald_" + name.replace('-', '_') + "_" + SUFFIX;
    }

    /** Loads the library into Redis (replacing the same version, if there). */
    static CompletableFuture<String> install(RedisAsyncCommands<String, String> redis) {
        return redis.functionLoad(LIBRARY, true).toCompletableFuture();
    }

    /** Runs the function; the future fails with Lettuce's exception if Redis could not. */
    <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<T> first = redis.<T>fcall(function, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).contains("Function not found")) {
                return install(redis).thenCompose(loaded -> redis.<T>fcall(function, ScriptOutputType.MULTI, keys, args));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private static String resource(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name + ".lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return function;
    }
}
