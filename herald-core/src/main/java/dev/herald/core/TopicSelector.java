package dev.herald.core;

import dev.herald.core.internal.UriTemplates;

/**
 * Which topics a subscription wants, following the classic Mercure matching rules: an exact topic,
 * {@code *} for every topic, or an RFC 6570 URI template such as {@code https://example.com/books/{id}}
 * or {@code orders/{id}} that matches every topic it could expand to.
 */
public sealed interface TopicSelector permits TopicSelector.Exact, TopicSelector.Any, TopicSelector.Template {

    /**
     * Reads a selector: {@code *} is {@link Any}, text containing <code>{</code> is a
     * {@link Template}, anything else is {@link Exact}.
     *
     * @throws InvalidSubscriptionException if the text is empty, has control characters, or is a
     *                                      malformed URI template
     */
    static TopicSelector parse(String text) {
        Fields.name("topic selector", text, InvalidSubscriptionException::new);
        if (text.equals("*")) {
            return Any.INSTANCE;
        }
        if (text.indexOf('{') >= 0 || text.indexOf('}') >= 0) {
            return new Template(text, UriTemplates.compile(text, InvalidSubscriptionException::new));
        }
        return new Exact(text);
    }

    /** Whether this selector selects the topic. */
    boolean matches(String topic);

    /** Whether any of the selectors selects any of the topics. */
    static boolean anyMatches(java.util.List<TopicSelector> selectors, java.util.List<String> topics) {
        for (TopicSelector selector : selectors) {
            for (String topic : topics) {
                if (selector.matches(topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The selector as the subscriber wrote it. */
    String value();

    /**
     * Whether every topic {@code other} selects is also selected by this selector, as far as can be
     * told without enumerating topics: {@code *} covers everything, a selector covers itself, and
     * any selector covers an exact topic it matches. A template is covered only by {@code *} or by
     * the same template, so the answer errs towards "no". Used to check a subscription against the
     * selectors a subscriber is granted.
     */
    default boolean covers(TopicSelector other) {
        return this instanceof Any || equals(other) || (other instanceof Exact exact && matches(exact.value()));
    }

    /** Whether any of the granted selectors {@linkplain #covers covers} the selector. */
    static boolean anyCovers(java.util.List<TopicSelector> granted, TopicSelector selector) {
        for (TopicSelector grant : granted) {
            if (grant.covers(selector)) {
                return true;
            }
        }
        return false;
    }

    /** Selects exactly one topic. */
    record Exact(String value) implements TopicSelector {
        /** Checks the topic as {@link #parse} does, without reading braces as a template. */
        public Exact {
            Fields.name("topic selector", value, InvalidSubscriptionException::new);
        }

        @Override
        public boolean matches(String topic) {
            return value.equals(topic);
        }
    }

    /** Selects every topic. */
    record Any() implements TopicSelector {
        static final Any INSTANCE = new Any();

        @Override
        public boolean matches(String topic) {
            return true;
        }

        @Override
        public String value() {
            return "*";
        }
    }

    /**
     * Selects every topic the URI template can expand to; equal to another template with the same
     * text. Matching takes time linear in the topic's length (see {@code UriTemplates}).
     */
    final class Template implements TopicSelector {
        private final String value;
        private final UriTemplates.Template compiled;

        private Template(String value, UriTemplates.Template compiled) {
            this.value = value;
            this.compiled = compiled;
        }

        @Override
        public boolean matches(String topic) {
            return compiled.matches(topic);
        }

        @Override
        public String value() {
            return value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Template that && value.equals(that.value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "Template[" + value + "]";
        }
    }
}
