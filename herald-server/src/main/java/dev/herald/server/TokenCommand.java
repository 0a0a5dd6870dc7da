package dev.herald.server;

import dev.herald.http.TokenMinter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar herald-server.jar token ...}: mints an HS256 token for development, signed with
 * the secret the server verifies tokens with, and prints it. No server starts.
 *
 * <pre>
 * java -jar herald-server.jar token --sub alice --subscribe 'users/alice/{+path}' --ttl 1h
 * </pre>
 */
final class TokenCommand {

    static final String USAGE = """
            usage: java -jar herald-server.jar token [--sub USER] [--subscribe SELECTOR]... [--publish SELECTOR]...
                                                     [--presence] [--admin] [--ttl 1h|30m|90s|7d|never] [--secret SECRET]
            Prints a JWT (HS256) for Herald's herald.auth.jwt.secret. The secret defaults to the
            HERALD_AUTH_JWT_SECRET environment variable (at least 32 bytes); --ttl defaults to 1h.
            """;

    private TokenCommand() {
    }

    /**
     * Runs the command.
     *
     * @return the process exit status: 0, or 2 for a usage error
     */
    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        String subject = null;
        String secret = environment.get("HERALD_AUTH_JWT_SECRET");
        List<String> subscribe = new ArrayList<>();
        List<String> publish = new ArrayList<>();
        boolean presence = false;
        boolean admin = false;
        Duration lifetime = Duration.ofHours(1);
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--sub" -> subject = value(args, ++i, arg);
                    case "--subscribe" -> subscribe.add(value(args, ++i, arg));
                    case "--publish" -> publish.add(value(args, ++i, arg));
                    case "--presence" -> presence = true;
                    case "--admin" -> admin = true;
                    case "--ttl" -> lifetime = duration(value(args, ++i, arg));
                    case "--secret" -> secret = value(args, ++i, arg);
                    case "--help", "-h" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("no secret: pass --secret or set HERALD_AUTH_JWT_SECRET");
            }
            out.println(TokenMinter.hs256(secret.getBytes(StandardCharsets.UTF_8), subject, subscribe, publish, presence, admin,
                    lifetime, InstantSource.system()));
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("herald token: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, {@code 7d}, or {@code never}. */
    private static Duration duration(String text) {
        if (text.equals("never")) {
            return null;
        }
        if (text.length() < 2) {
            throw new IllegalArgumentException("--ttl takes a number and a unit (s, m, h, d), got " + text);
        }
        long amount;
        try {
            amount = Long.parseLong(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ttl takes a number and a unit (s, m, h, d), got " + text);
        }
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("--ttl takes a number and a unit (s, m, h, d), got " + text);
        };
    }
}
