package dev.herald.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.testing.PropertyCheck;
import dev.herald.core.testing.PropertyCheck.Draws;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The template matcher agrees with a regular expression built straight from RFC 6570's grammar
 * (the obvious implementation, and this one's oracle) on every template and topic tried, and
 * takes linear time where the regular expression backtracks for ever.
 */
class UriTemplatesTest {

    private static final String UNRESERVED = "A-Za-z0-9\\-._~";
    private static final String RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
    private static final String PCT = "%[0-9A-Fa-f]{2}";

    /** The oracle: each expression as the regular expression of everything it may expand to. */
    private static Pattern regex(String template) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.charAt(i) != '{') {
                int next = template.indexOf('{', i);
                next = next < 0 ? template.length() : next;
                regex.append(Pattern.quote(template.substring(i, next)));
                i = next;
                continue;
            }
            int end = template.indexOf('}', i);
            char operator = template.charAt(i + 1);
            String value = operator == '+' || operator == '#' ? "[" + UNRESERVED + RESERVED + "]|" + PCT : "[" + UNRESERVED + "]|" + PCT;
            regex.append(switch (operator) {
                case '+' -> "(?:" + value + ")*";
                case '#' -> "(?:#(?:" + value + ")*)?";
                case '.' -> "(?:\\.(?:" + value + "|,)*)*";
                case '/' -> "(?:/(?:" + value + "|,)*)*";
                case ';' -> "(?:;(?:" + value + "|[,=])*)*";
                case '?' -> "(?:\\?(?:" + value + "|[,=&])*)?";
                case '&' -> "(?:&(?:" + value + "|[,=])*)*";
                default -> "(?:" + value + "|,)*";
            });
            i = end + 1;
        }
        return Pattern.compile(regex.toString());
    }

    private static boolean matches(String template, String topic) {
        return UriTemplates.compile(template, IllegalArgumentException::new).matches(topic);
    }

    /** Topics and literals over the characters where the operators differ. */
    private static String text(Draws draws, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = draws.between(0, max); i > 0; i--) {
            text.append(draws.element("a", "b", "7", "/", ".", ",", ";", "=", "&", "?", "#", "%41", "%", "%G1", "-", "~", ":", " ", "é"));
        }
        return text.toString();
    }

    private static String template(Draws draws) {
        StringBuilder template = new StringBuilder();
        for (int parts = draws.between(1, 5); parts > 0; parts--) {
            if (draws.chance(50)) {
                template.append(draws.element("{x}", "{+x}", "{#x}", "{.x}", "{/x}", "{;x}", "{?x}", "{&x}", "{x,y}", "{/x*}"));
            } else {
                String literal = text(draws, 3).replace("{", "").replace("}", "");
                template.append(literal);
            }
        }
        return template.toString();
    }

    private record Case(String template, String topic) {
    }

    @Test
    void agreesWithTheGrammarsRegularExpressionOnEveryTemplateAndTopic() {
        PropertyCheck.forAll(3000, draws -> new Case(template(draws), text(draws, 8)), Case::toString, c -> {
            if (!c.template().contains("{")) {
                return; // a literal alone is not a template
            }
            assertThat(matches(c.template(), c.topic())).as(c.toString()).isEqualTo(regex(c.template()).matcher(c.topic()).matches());
        });
    }

    @Test
    void theGeneratorReachesMatchesAndMissesOfEveryOperator() {
        var cases = PropertyCheck.samples(3000, draws -> new Case(template(draws), text(draws, 8))).stream()
                .filter(c -> c.template().contains("{")).toList();
        long matching = cases.stream().filter(c -> regex(c.template()).matcher(c.topic()).matches()).count();
        assertThat(matching).as("matching cases").isGreaterThan(100);
        assertThat(cases.size() - matching).as("missing cases").isGreaterThan(100);
        for (String operator : new String[] {"{x}", "{+x}", "{#x}", "{.x}", "{/x}", "{;x}", "{?x}", "{&x}"}) {
            assertThat(cases.stream().filter(c -> c.template().contains(operator) && regex(c.template()).matcher(c.topic()).matches()))
                    .as("matches with %s", operator).isNotEmpty();
        }
    }

    @Test
    void matchesWhatTheOperatorsExpandTo() {
        assertThat(matches("books/{id}", "books/1")).isTrue();
        assertThat(matches("books/{id}", "books/1/reviews")).isFalse();
        assertThat(matches("books/{+path}", "books/1/reviews")).isTrue();
        assertThat(matches("users{/id*}", "users/a/b")).isTrue();
        assertThat(matches("map{?x,y}", "map?x=1&y=2")).isTrue();
        assertThat(matches("map{?x,y}", "map?x=1?y=2")).isFalse();
        assertThat(matches("a{#frag}", "a#b#c")).isTrue();
        assertThat(matches("x{.ext}", "x.tar.gz")).isTrue();
        assertThat(matches("p{;k}", "p;k=v;w")).isTrue();
        assertThat(matches("{x}", "%4")).isFalse();
        assertThat(matches("{x}", "%41b")).isTrue();
    }

    @Test
    @Timeout(10) // a guard against hanging, not a measurement: the regular expression takes minutes here
    void manyExpressionsSideBySideDoNotBacktrack() {
        StringBuilder template = new StringBuilder();
        for (int i = 0; i < UriTemplates.MAX_EXPRESSIONS; i++) {
            template.append("{+v").append(i).append('}');
        }
        template.append('^');
        UriTemplates.Template compiled = UriTemplates.compile(template.toString(), IllegalArgumentException::new);
        String topic = "a".repeat(1024);

        for (int i = 0; i < 100; i++) {
            assertThat(compiled.matches(topic)).isFalse();
        }
        assertThat(compiled.matches(topic + "^")).isTrue();
    }

    @Test
    void refusesTemplatesWithTooManyExpressions() {
        assertThatThrownBy(() -> UriTemplates.compile("{a}".repeat(UriTemplates.MAX_EXPRESSIONS + 1), IllegalArgumentException::new))
                .hasMessageContaining("at most " + UriTemplates.MAX_EXPRESSIONS);
    }
}
