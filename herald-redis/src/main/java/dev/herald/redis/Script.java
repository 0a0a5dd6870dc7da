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
 * <p>All scripts form one function library (with {@code common.lua}'s helpers ahead of them),
 * loaded when a node connects. Functions, unlike {@code EVALSHA} scripts, are part of Redis's
 * data: they survive a restart with the data, so calls never need resending after one and calls
 * made in a row run in that order. The library's and functions' names carry a digest of the code,
 * so nodes of different versions can share one Redis. Should Redis lose the library (a restart
 * without persistence, a flush), the calls that find it missing load it again (one load for all
 * of them) and are retried; those retries may run after calls made later, so in that moment
 * appends can be stored out of the order they were made. Redis has lost data then anyway.
 */
final class Script {

    private static final List<String> NAMES = List.of("append", "read", "id-of-key", "repair", "cursors", "presence-publish", "presence-query",
            "presence-share", "presence-shared");
    private static final String SUFFIX;
    private static final String LIBRARY;

    static {
        String common = resource("common");
        StringBuilder bodies = new StringBuilder(common);
        for (String name : NAMES) {
            bodies.append(resource(name));
        }
        SUFFIX = sha1(bodies.toString()).substring(0, 12);
        StringBuilder library = new StringBuilder("#!lua name=herald_").append(SUFFIX).append('\n').append(common).append('\n');
        for (String name : NAMES) {
            library.append("redis.register_function('").append(functionName(name))
                    .append("', function(KEYS, ARGV)\n").append(resource(name)).append("\nend)\n");
        }
        LIBRARY = library.toString();
    }

    /** Per connection, the library load under way after Redis was found without it, shared by every call that found so. */
    private static final java.util.concurrent.ConcurrentHashMap<RedisAsyncCommands<String, String>, CompletableFuture<String>> RELOADING =
            new java.util.concurrent.ConcurrentHashMap<>();

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
                return reload(redis).thenCompose(loaded -> redis.<T>fcall(function, ScriptOutputType.MULTI, keys, args));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Loads the library once for every call that found it missing at about the same time. */
    private static CompletableFuture<String> reload(RedisAsyncCommands<String, String> redis) {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> running = RELOADING.putIfAbsent(redis, mine);
        if (running != null) {
            return running;
        }
        install(redis).whenComplete((loaded, failure) -> {
            RELOADING.remove(redis, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(loaded);
            }
        });
        return mine;
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
