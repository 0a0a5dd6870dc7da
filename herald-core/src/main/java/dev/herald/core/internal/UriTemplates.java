package dev.herald.core.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Function;

/**
 * Matches topics against RFC 6570 URI templates (all four levels): a template matches every string
 * it could expand to. Literal parts must match exactly; each expression matches the characters its
 * operator may produce, so <code>books/{id}</code> matches {@code books/1} but not
 * {@code books/1/reviews}, while <code>books/{+path}</code> matches both.
 *
 * <p>Matching runs in time linear in the topic's length for each part of the template, whatever
 * the template: a regular expression would backtrack exponentially on templates with several
 * expressions side by side, and templates come from anyone who may subscribe. Each expression's
 * language is an optional leading character (the operator's: {@code #}, {@code .}, {@code /},
 * {@code ;}, {@code ?}, {@code &}) followed by a run of allowed characters and percent-escapes, so
 * the positions a topic can reach part by part form a set that one pass per part computes.
 */
public final class UriTemplates {

    /** The most expressions one template may hold. */
    public static final int MAX_EXPRESSIONS = 16;

    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private static final String RESERVED = ":/?#[]@!$&'()*+,;=";

    private UriTemplates() {
    }

    /** A compiled template. Immutable and thread-safe. */
    public static final class Template {
        private final Part[] parts;
        /** For a template of one expression between optional literals (the usual {@code orders/{id}}): the pieces, else null. */
        private final String prefix;
        private final Expression single;
        private final String suffix;

        private Template(List<Part> parts) {
            this.parts = parts.toArray(Part[]::new);
            Expression only = null;
            int expressions = 0;
            for (Part part : parts) {
                if (part instanceof Expression expression) {
                    only = expression;
                    expressions++;
                }
            }
            // Literal runs never touch each other, so one expression in at most three parts is
            // {e}, lit{e}, {e}lit or lit{e}lit.
            boolean simple = expressions == 1 && parts.size() <= 3;
            this.single = simple ? only : null;
            this.prefix = simple && parts.getFirst() instanceof Literal literal ? literal.text() : "";
            this.suffix = simple && parts.size() > 1 && parts.getLast() instanceof Literal literal ? literal.text() : "";
        }

        /** Whether the template can expand to exactly this topic. */
        public boolean matches(String topic) {
            if (single != null) {
                // The usual shape, without the general walk's allocations: the dispatcher asks
                // this for every event and every distinct template.
                return topic.length() >= prefix.length() + suffix.length() && topic.startsWith(prefix) && topic.endsWith(suffix)
                        && single.expandsTo(topic, prefix.length(), topic.length() - suffix.length());
            }
            int n = topic.length();
            BitSet reached = new BitSet(n + 1);
            reached.set(0);
            for (Part part : parts) {
                reached = part.advance(topic, reached);
                if (reached.isEmpty()) {
                    return false;
                }
            }
            return reached.get(n);
        }
    }

    /** A piece of a template: from the positions reached before it, the positions reached after it. */
    private sealed interface Part permits Literal, Expression {
        BitSet advance(String topic, BitSet from);
    }

    private record Literal(String text) implements Part {
        @Override
        public BitSet advance(String topic, BitSet from) {
            BitSet to = new BitSet(topic.length() + 1);
            for (int p = from.nextSetBit(0); p >= 0 && p + text.length() <= topic.length(); p = from.nextSetBit(p + 1)) {
                if (topic.startsWith(text, p)) {
                    to.set(p + text.length());
                }
            }
            return to;
        }
    }

    /**
     * An expression: nothing at all, or its leading character (if its operator has one) followed by
     * any run of allowed characters and percent-escapes.
     *
     * @param lead    the character a non-empty expansion starts with, or 0 for none
     * @param allowed which ASCII characters the run may hold
     */
    private record Expression(char lead, boolean[] allowed) implements Part {
        @Override
        public BitSet advance(String topic, BitSet from) {
            int n = topic.length();
            // Positions some run of this expression reaches. A run continues the same way from a
            // given position, so a run that meets one already marked has nothing new to mark,
            // and every position is stepped over at most once: linear time.
            BitSet run = new BitSet(n + 1);
            for (int p = from.nextSetBit(0); p >= 0; p = from.nextSetBit(p + 1)) {
                int start = p;
                if (lead != 0) {
                    if (p >= n || topic.charAt(p) != lead) {
                        continue;
                    }
                    start = p + 1;
                }
                if (run.get(start)) {
                    continue;
                }
                run.set(start);
                int at = start;
                while (at < n) {
                    int next = step(topic, at);
                    if (next < 0 || run.get(next)) {
                        break;
                    }
                    run.set(next);
                    at = next;
                }
            }
            run.or(from); // an expression may also expand to nothing
            return run;
        }

        /** Whether the expression can expand to exactly {@code topic[from, to)}. */
        boolean expandsTo(String topic, int from, int to) {
            if (from == to) {
                return true;
            }
            int at = from;
            if (lead != 0) {
                if (topic.charAt(at) != lead) {
                    return false;
                }
                at++;
            }
            while (at < to) {
                int next = step(topic, at);
                if (next < 0 || next > to) {
                    return false;
                }
                at = next;
            }
            return true;
        }

        /** The position after one allowed character or escape at {@code at}, or -1. */
        private int step(String topic, int at) {
            char c = topic.charAt(at);
            if (c < 128 && allowed[c]) {
                return at + 1;
            }
            if (c == '%' && at + 2 < topic.length() && hex(topic.charAt(at + 1)) && hex(topic.charAt(at + 2))) {
                return at + 3;
            }
            return -1;
        }
    }

    private static boolean hex(char c) {
        return c < 128 && Character.digit(c, 16) >= 0;
    }

    /**
     * Compiles the template.
     *
     * @param error builds the exception thrown for a malformed template
     */
    public static Template compile(String template, Function<String, ? extends RuntimeException> error) {
        List<Part> parts = new ArrayList<>();
        int expressions = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                throw error.apply("unbalanced '}' in URI template at " + i + ": " + template);
            }
            if (c != '{') {
                int next = nextBrace(template, i);
                parts.add(new Literal(template.substring(i, next)));
                i = next;
                continue;
            }
            int end = template.indexOf('}', i);
            if (end < 0) {
                throw error.apply("unclosed '{' in URI template at " + i + ": " + template);
            }
            if (++expressions > MAX_EXPRESSIONS) {
                throw error.apply("a URI template may hold at most " + MAX_EXPRESSIONS + " expressions: " + template);
            }
            parts.add(expression(template.substring(i + 1, end), template, error));
            i = end + 1;
        }
        return new Template(parts);
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

    private static Expression expression(String body, String template, Function<String, ? extends RuntimeException> error) {
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
        // What one expansion may hold after its leading character: the values' characters, and
        // what may separate values (and, for operators that repeat, the leading character again).
        return switch (operator) {
            case '+' -> new Expression((char) 0, chars(UNRESERVED + RESERVED));
            case '#' -> new Expression('#', chars(UNRESERVED + RESERVED));
            case '.' -> new Expression('.', chars(UNRESERVED + ","));
            case '/' -> new Expression('/', chars(UNRESERVED + ",/"));
            case ';' -> new Expression(';', chars(UNRESERVED + ",=;"));
            case '?' -> new Expression('?', chars(UNRESERVED + ",=&"));
            case '&' -> new Expression('&', chars(UNRESERVED + ",=&"));
            default -> new Expression((char) 0, chars(UNRESERVED + ","));
        };
    }

    private static boolean[] chars(String set) {
        boolean[] allowed = new boolean[128];
        for (int i = 0; i < set.length(); i++) {
            allowed[set.charAt(i)] = true;
        }
        return allowed;
    }
}
