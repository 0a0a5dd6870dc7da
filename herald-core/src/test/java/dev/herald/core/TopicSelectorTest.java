package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicSelectorTest {

    @Test
    void exactSelectorsMatchOnlyTheSameTopic() {
        TopicSelector selector = TopicSelector.parse("https://example.com/books/1");

        assertThat(selector).isInstanceOf(TopicSelector.Exact.class);
        assertThat(selector.matches("https://example.com/books/1")).isTrue();
        assertThat(selector.matches("https://example.com/books/10")).isFalse();
        assertThat(selector.matches("https://example.com/books/")).isFalse();
    }

    @Test
    void starMatchesEveryTopic() {
        TopicSelector selector = TopicSelector.parse("*");

        assertThat(selector).isInstanceOf(TopicSelector.Any.class);
        assertThat(selector.matches("anything/at/all")).isTrue();
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "https://example.com/books/{id}|https://example.com/books/1|true",
        "https://example.com/books/{id}|https://example.com/books/abc-_.~%20|true",
        "https://example.com/books/{id}|https://example.com/books/1/reviews|false",
        "https://example.com/books/{id}|https://example.com/authors/1|false",
        "orders/{id}|orders/42|true",
        "orders/{id}|orders/42?x=1|false",
        "users/{user}/orders/{id}|users/alice/orders/7|true",
        "books{/path*}|books/a/b/c|true",
        "books/{+rest}|books/a/b?c=d|true",
        "search{?q,lang}|search?q=sse&lang=ko|true",
        "search{?q}|search|true",
        "file{.ext}|file.json|true",
        "page{#frag}|page#top|true",
        "map{;x,y}|map;x=1;y=2|true",
        "list{&a}|list&a=1|true",
        "x/{a}|x/a/b|false",
    })
    void uriTemplatesMatchWhatTheyCouldExpandTo(String template, String topic, boolean matches) {
        TopicSelector selector = TopicSelector.parse(template);

        assertThat(selector).isInstanceOf(TopicSelector.Template.class);
        assertThat(selector.matches(topic)).isEqualTo(matches);
    }

    @Test
    void templateLiteralsAreNotRegularExpressions() {
        TopicSelector selector = TopicSelector.parse("a.b/{id}");

        assertThat(selector.matches("a.b/1")).isTrue();
        assertThat(selector.matches("axb/1")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"books/{id", "books/id}", "books/{}", "books/{=x}", "books/{a b}", "", "a\nb", "a\rb"})
    void refusesMalformedSelectors(String text) {
        assertThatThrownBy(() -> TopicSelector.parse(text)).isInstanceOf(InvalidSubscriptionException.class);
    }
}
