package dev.herald.core.internal;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns an RFC 6570 URI template into a regular expression that matches every string the template
 * can expand to (all four levels). Literal parts must match exactly; each expression matches the
 * characters its operator may produce, so <code>books/{id}</code> matches {@code books/1} but not
 * {@code books/1/reviews}, while <code>books/{+path}</code> matches both.
 */
public final class UriTemplates {

    private static final String UNRESERVED = "A-Za-z0-9\\-._~";
    private static final String RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
    private static final String PCT = "%[0-9A-Fa-f]{2}";

    private UriTemplates() {
    }

    /**
     * Compiles the template.
     *
     * @param error builds the exception thrown for a malformed template
     */
    public static Pattern compile(String template, Function<String, ? extends RuntimeException> error) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                throw error.apply("unbalanced '}' in URI template at " + i + ": " + template);
            }
            if (c != '{') {
                int next = nextBrace(template, i);
                regex.append(Pattern.quote(template.substring(i, next)));
                i = next;
                continue;
            }
            int end = template.indexOf('}', i);
            if (end < 0) {
                throw error.apply("unclosed '{' in URI template at " + i + ": " + template);
            }
            regex.append(expression(template.substring(i + 1, end), template, error));
            i = end + 1;
        }
        return Pattern.compile(regex.toString());
    }

    private static int nextBrace(String template, int from) {
        for (int i = from; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' || c == '}') {
                return i;
            }
        }
        return template.length();
    }

    private static String expression(String body, String template, Function<String, ? extends RuntimeException> error) {
        if (body.isEmpty()) {
            throw error.apply("empty expression {} in URI template: " + template);
        }
        char operator = body.charAt(0);
        String variables = "+#./;?&".indexOf(operator) >= 0 ? body.substring(1) : body;
        if ("=,!@|".indexOf(operator) >= 0) {
            throw error.apply("reserved operator '" + operator + "' in URI template: " + template);
        }
        for (String spec : variables.split(",", -1)) {
            if (!spec.matches("(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\\*)?")) {
                throw error.apply("malformed variable '" + spec + "' in URI template: " + template);
            }
        }
        // The characters one expanded value may contain, then what may separate values.
        String value = switch (operator) {
            case '+', '#' -> "[" + UNRESERVED + RESERVED + "]|" + PCT;
            default -> "[" + UNRESERVED + "]|" + PCT;
        };
        return switch (operator) {
            case '+' -> "(?:" + value + ")*";
            case '#' -> "(?:#(?:" + value + ")*)?";
            case '.' -> "(?:\\.(?:" + value + "|,)*)*";
            case '/' -> "(?:/(?:" + value + "|,)*)*";
            case ';' -> "(?:;(?:" + value + "|[,=])*)*";
            case '?' -> "(?:\\?(?:" + value + "|[,=&])*)?";
            case '&' -> "(?:&(?:" + value + "|[,=])*)*";
            default -> "(?:" + value + "|,)*";
        };
    }
}
