package dev.herald.http;

import static dev.herald.core.testing.PropertyCheck.forAll;
import static dev.herald.core.testing.PropertyCheck.samples;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.InvalidEventException;
import dev.herald.core.Priority;
import dev.herald.core.Publication;
import dev.herald.core.testing.PropertyCheck;
import dev.herald.core.testing.PropertyCheck.Draws;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Specifies {@link PublishRequests#read(byte[])}: every well-formed publish body (any field order,
 * compact or pretty-printed, every optional field present or not) reads back as exactly the
 * publication it describes, with JSON data other than a string delivered as compact JSON of the same
 * value; any bytes at all either read as a publication or are refused with {@link
 * InvalidEventException}, never another exception; and a field the API does not know is refused.
 *
 * <p>The properties run on {@link PropertyCheck}: a failure is shrunk and reported with its seed;
 * rerun with {@code -Dherald.properties.seed=<seed>} to get the same values.
 */
class PublishRequestsPropertiesTest {

    private static final int TRIES = 1000;

    /** The fields of a publish body, as documented on {@link PublishRequests}. */
    private static final List<String> FIELDS = List.of("topics", "topic", "type", "data", "id", "retry", "private", "users", "priority");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PublishRequests requests = new PublishRequests();

    @Test
    void everyValidBodyIsReadBackAsThePublicationItDescribes() {
        forAll(TRIES, PublishRequestsPropertiesTest::validBody, Body::toString, body -> {
            Publication publication = requests.read(body.bytes());

            assertThat(publication.topics()).containsExactlyElementsOf(body.topics());
            assertThat(publication.type()).isEqualTo(body.type() == null ? Publication.DEFAULT_TYPE : body.type());
            if (body.data() == null) {
                assertThat(publication.data()).isEmpty();
            } else if (body.data() instanceof String text) {
                assertThat(publication.data()).isEqualTo(text);
            } else {
                assertThat(JSON.readTree(publication.data())).isEqualTo(JSON.readTree(JSON.writeValueAsString(body.data())));
                assertThat(publication.data()).matches(PublishRequestsPropertiesTest::isCompact, "compact JSON");
            }
            assertThat(publication.key()).isEqualTo(body.id());
            assertThat(publication.retry()).isEqualTo(body.retry() == null ? null : Duration.ofMillis(body.retry()));
            assertThat(publication.privateEvent()).isEqualTo(Boolean.TRUE.equals(body.privateEvent()));
            assertThat(publication.audience()).isEqualTo(body.users() == null ? Set.of() : new HashSet<>(body.users()));
            assertThat(publication.priority()).isEqualTo(body.priority() == null ? Priority.NORMAL
                    : Priority.valueOf(body.priority().toUpperCase(Locale.ROOT)));
        });
    }

    @Test
    void anyBytesAreReadAsAPublicationOrRefusedAsAnInvalidEvent() {
        forAll(TRIES, PublishRequestsPropertiesTest::anyBytes, PublishRequestsPropertiesTest::showBytes, bytes -> {
            Publication publication;
            try {
                publication = requests.read(bytes);
            } catch (InvalidEventException refused) {
                return;
            }
            assertThat(publication).isNotNull();
        });
    }

    @Test
    void aBodyWithAnUnknownFieldIsRefused() {
        forAll(TRIES, PublishRequestsPropertiesTest::bodyWithUnknownField, PublishRequestsPropertiesTest::showBytes, bytes ->
                assertThatThrownBy(() -> requests.read(bytes)).isInstanceOf(InvalidEventException.class));
    }

    /** Not a property of the reader: a check that the generators reach the cases the properties are about. */
    @Test
    void theGeneratorsReachTheAwkwardCases() {
        List<Body> bodies = samples(TRIES, PublishRequestsPropertiesTest::validBody);
        List<tools.jackson.databind.JsonNode> trees = bodies.stream().map(body -> JSON.readTree(body.bytes())).toList();

        assertThat(trees).anyMatch(tree -> tree.has("topic") && !tree.has("topics"))
                .anyMatch(tree -> tree.has("topic") && tree.has("topics"))
                .anyMatch(tree -> tree.has("topic") && tree.has("topics") && tree.get("topics").isEmpty())
                .anyMatch(tree -> tree.has("users") && tree.get("users").isEmpty());
        assertThat(bodies).anyMatch(body -> new String(body.bytes(), UTF_8).contains("\n  "))
                .anyMatch(body -> body.topics().size() == 5)
                .anyMatch(body -> body.topics().stream().anyMatch(topic -> topic.length() == 1024))
                .anyMatch(body -> body.topics().stream().anyMatch(topic -> topic.codePoints().anyMatch(Character::isSupplementaryCodePoint)))
                .anyMatch(body -> body.topics().stream().anyMatch(topic -> topic.contains("\"") || topic.contains("\\")))
                .anyMatch(body -> "message".equals(body.type()))
                .anyMatch(body -> body.data() == null)
                .anyMatch(body -> body.data() instanceof String text && text.chars().anyMatch(c -> c < 0x20))
                .anyMatch(body -> "".equals(body.data()))
                .anyMatch(body -> body.data() instanceof Map<?, ?> map && map.values().stream().anyMatch(v -> v instanceof Map || v instanceof List))
                .anyMatch(body -> body.data() instanceof List)
                .anyMatch(body -> body.data() instanceof Number)
                .anyMatch(body -> body.data() instanceof Boolean)
                .anyMatch(body -> Long.valueOf(Long.MAX_VALUE).equals(body.retry()))
                .anyMatch(body -> Boolean.FALSE.equals(body.privateEvent()))
                .anyMatch(body -> body.users() != null && new HashSet<>(body.users()).size() < body.users().size())
                .anyMatch(body -> "high".equals(body.priority())).anyMatch(body -> "normal".equals(body.priority()))
                .anyMatch(body -> "low".equals(body.priority()));
    }

    // ---------------------------------------------------------------- the generated values

    /**
     * A valid publish body and what it says; {@code null} stands for a field left out. {@code topics}
     * are the topics in the order the body names them ({@code "topics"} first, then {@code "topic"}).
     */
    record Body(byte[] bytes, List<String> topics, String type, Object data, String id, Long retry,
                Boolean privateEvent, List<String> users, String priority) {

        @Override
        public String toString() {
            return "Body " + showBytes(bytes);
        }
    }

    static Body validBody(Draws draws) {
        return validBody(draws, null);
    }

    /** A valid body; with {@code unknownField} set, that field is added among the others. */
    private static Body validBody(Draws draws, String unknownField) {
        List<String> topics = new ArrayList<>(new LinkedHashSet<>(draws.list(1, 5, 1, PublishRequestsPropertiesTest::name)));
        String type = draws.chance(50) ? (draws.chance(10) ? "message" : name(draws)) : null;
        Object data = switch (draws.pick(1, 3, 3)) {
            case 0 -> null;
            case 1 -> text(draws);
            default -> switch (draws.pick(3, 2, 2, 1)) {
                case 0 -> jsonObject(draws, 1);
                case 1 -> jsonArray(draws, 1);
                case 2 -> number(draws);
                default -> draws.chance(50);
            };
        };
        String id = draws.chance(40) ? name(draws) : null;
        Long retry = draws.chance(40) ? switch (draws.pick(3, 1, 1)) {
            case 0 -> draws.between(0L, 60_000L);
            case 1 -> draws.between(0L, Long.MAX_VALUE - 1);
            default -> draws.element(0L, (long) Integer.MAX_VALUE, Long.MAX_VALUE);
        } : null;
        Boolean privateEvent = draws.chance(40) ? draws.chance(50) : null;
        // The audience is a set: a user named twice is one user.
        List<String> users = null;
        if (draws.chance(40)) {
            users = new ArrayList<>();
            for (String user : draws.list(0, 5, 2, PublishRequestsPropertiesTest::name)) {
                users.add(user);
                if (draws.chance(10)) {
                    users.add(users.get(draws.between(0, users.size() - 1)));
                }
            }
        }
        String priority = draws.chance(40) ? draws.element("high", "normal", "low") : null;

        List<Map.Entry<String, Object>> fields = new ArrayList<>();
        switch (draws.pick(3, 1, 1)) {
            case 0 -> fields.add(Map.entry("topics", topics));
            case 1 -> {
                if (topics.size() == 1) {
                    fields.add(Map.entry("topic", topics.getFirst()));
                } else {
                    fields.add(Map.entry("topics", topics));
                }
            }
            default -> {
                fields.add(Map.entry("topics", topics.subList(0, topics.size() - 1)));
                fields.add(Map.entry("topic", topics.getLast()));
            }
        }
        addIfPresent(fields, "type", type);
        addIfPresent(fields, "data", data);
        addIfPresent(fields, "id", id);
        addIfPresent(fields, "retry", retry);
        addIfPresent(fields, "private", privateEvent);
        addIfPresent(fields, "users", users);
        addIfPresent(fields, "priority", priority);
        if (unknownField != null) {
            // Any JSON value, null included (which Map.entry does not take).
            fields.add(new AbstractMap.SimpleImmutableEntry<>(unknownField, draws.chance(50) ? jsonValue(draws, 1) : name(draws)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = fields.size(); i > 0; i--) {
            Map.Entry<String, Object> field = fields.remove(draws.between(0, i - 1));
            body.put(field.getKey(), field.getValue());
        }
        byte[] bytes = draws.chance(20) ? JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body) : JSON.writeValueAsBytes(body);
        return new Body(bytes, topics, type, data, id, retry, privateEvent, users, priority);
    }

    private static void addIfPresent(List<Map.Entry<String, Object>> fields, String name, Object value) {
        if (value != null) {
            fields.add(Map.entry(name, value));
        }
    }

    static byte[] bodyWithUnknownField(Draws draws) {
        String unknown = switch (draws.pick(2, 2, 1, 3)) {
            case 0 -> {
                String known = draws.element(FIELDS.toArray(String[]::new));
                yield draws.chance(50) ? known.toUpperCase(Locale.ROOT) : Character.toUpperCase(known.charAt(0)) + known.substring(1);
            }
            case 1 -> {
                String known = draws.element(FIELDS.toArray(String[]::new));
                yield draws.element(known + " ", " " + known, known + "s", known.substring(1), known + "\u0000", known.replace('a', '\u0430'));
            }
            case 2 -> draws.element("", "$schema", "__proto__", "retry_ms", "event", "message", "user", "audience", "key");
            default -> text(draws);
        };
        if (FIELDS.contains(unknown)) {
            unknown = unknown + "?";
        }
        return validBody(draws, unknown).bytes();
    }

    /** Any bytes, mostly near a valid body: random, truncated, mutated, re-encoded, tokens, wrong field types. */
    static byte[] anyBytes(Draws draws) {
        return switch (draws.pick(1, 2, 2, 2, 2, 3, 1)) {
            case 0 -> randomBytes(draws);
            case 1 -> {
                byte[] body = validBody(draws).bytes();
                yield Arrays.copyOf(body, draws.between(0, body.length));
            }
            case 2 -> {
                byte[] body = validBody(draws).bytes();
                int at = draws.between(0, body.length - 1);
                body[at] = draws.chance(50) ? (byte) (body[at] ^ (1 << draws.between(0, 7))) : (byte) draws.between(0, 255);
                yield body;
            }
            case 3 -> mutate(draws, validBody(draws).bytes());
            case 4 -> tokenSoup(draws);
            case 5 -> wrongTypes(draws);
            default -> {
                Charset charset = Charset.forName(draws.element("UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE", "UTF-32LE"));
                byte[] body = new String(validBody(draws).bytes(), UTF_8).getBytes(charset);
                yield draws.chance(50) ? body : mutate(draws, body);
            }
        };
    }

    private static byte[] randomBytes(Draws draws) {
        List<Integer> bytes = draws.list(0, 300, 20, d -> d.between(0, 255));
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (int) bytes.get(i);
        }
        if (draws.chance(20)) {
            byte[] prefix = draws.element(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, new byte[] {(byte) 0xFE, (byte) 0xFF},
                    new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {0, 0, 0}, new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF}, new byte[] {0, '{'});
            byte[] prefixed = Arrays.copyOf(prefix, prefix.length + out.length);
            System.arraycopy(out, 0, prefixed, prefix.length, out.length);
            return prefixed;
        }
        return out;
    }

    /** One to five edits: a byte replaced, deleted, inserted or repeated, or a run of bytes repeated. */
    private static byte[] mutate(Draws draws, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(body);
        int edits = draws.between(1, 5);
        for (int i = 0; i < edits; i++) {
            byte[] bytes = out.toByteArray();
            int at = bytes.length == 0 ? 0 : draws.between(0, bytes.length - 1);
            out.reset();
            switch (draws.pick(1, 1, 1, 1, 1)) {
                case 0 -> {
                    if (bytes.length > 0) {
                        bytes[at] = (byte) draws.between(0, 255);
                    }
                    out.writeBytes(bytes);
                }
                case 1 -> {
                    out.write(bytes, 0, at);
                    out.write(bytes, Math.min(at + 1, bytes.length), Math.max(0, bytes.length - at - 1));
                }
                case 2 -> {
                    out.write(bytes, 0, at);
                    out.write(draws.between(0, 255));
                    out.write(bytes, at, bytes.length - at);
                }
                case 3 -> {
                    out.write(bytes, 0, Math.min(at + 1, bytes.length));
                    out.write(bytes, at, bytes.length - at);
                }
                default -> {
                    int length = Math.min(bytes.length - at, draws.between(1, 40));
                    out.write(bytes, 0, at + length);
                    out.write(bytes, at, bytes.length - at);
                }
            }
        }
        return out.toByteArray();
    }

    private static final String[] TOKENS = {
        "{", "}", "[", "]", ":", ",", " ", "\n", "\"topics\"", "\"topic\"", "\"type\"", "\"data\"", "\"id\"", "\"retry\"",
        "\"private\"", "\"users\"", "\"priority\"", "\"t\"", "\"\"", "\"high\"", "\"HIGH\"", "\"urgent\"", "0", "-0", "1", "-1",
        "1.5", "1e2", "1E+2", "-1e-7", "1e999", "-1e999", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "99999999999999999999999999999999999999", "true", "false", "null", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"\\ud83d\\ude00\"", "\"\\r\\n\"", "\"\\\"", "\"\\x\"", "\"\u0001\"", "NaN", "Infinity", "'t'", "/*c*/", "//c\n", "\uFEFF", "\u00e9",
    };

    private static byte[] tokenSoup(Draws draws) {
        StringBuilder out = new StringBuilder();
        for (String token : draws.list(0, 200, 20, d -> d.element(TOKENS))) {
            out.append(token);
        }
        return out.toString().getBytes(UTF_8);
    }

    /**
     * A JSON object of known fields (now and then one repeated, or one unknown) whose values are
     * sometimes right and sometimes of any other type or shape.
     */
    private static byte[] wrongTypes(Draws draws) {
        List<String> entries = new ArrayList<>();
        for (String field : FIELDS) {
            if (draws.chance(field.equals("topics") ? 90 : 40)) {
                entries.add(JSON.writeValueAsString(field) + ":" + (draws.chance(60) ? rightValue(draws, field) : wrongValue(draws)));
                if (draws.chance(3)) {
                    entries.add(JSON.writeValueAsString(field) + ":" + wrongValue(draws));
                }
            }
        }
        if (draws.chance(5)) {
            entries.add(JSON.writeValueAsString(text(draws)) + ":" + wrongValue(draws));
        }
        StringBuilder out = new StringBuilder("{");
        for (int i = entries.size(); i > 0; i--) {
            out.append(entries.remove(draws.between(0, i - 1))).append(i > 1 ? "," : "");
        }
        return out.append(draws.chance(97) ? "}" : "").toString().getBytes(UTF_8);
    }

    private static String rightValue(Draws draws, String field) {
        Object value = switch (field) {
            case "topics", "users" -> draws.list(0, 5, 1, PublishRequestsPropertiesTest::name);
            case "data" -> draws.chance(50) ? text(draws) : jsonValue(draws, 1);
            case "retry" -> draws.between(0L, Long.MAX_VALUE - 1);
            case "private" -> draws.chance(50);
            case "priority" -> draws.element("high", "normal", "low", "HIGH", "Low");
            default -> name(draws);
        };
        return JSON.writeValueAsString(value);
    }

    private static String wrongValue(Draws draws) {
        return switch (draws.pick(3, 3, 2, 1, 1)) {
            case 0 -> JSON.writeValueAsString(jsonValue(draws, 1));
            case 1 -> draws.element(TOKENS);
            case 2 -> JSON.writeValueAsString(draws.chance(50) ? text(draws) : draws.list(0, 3, 1, PublishRequestsPropertiesTest::text));
            case 3 -> "[" + String.join(",", draws.list(1, 4, 1, d -> d.element(TOKENS))) + "]";
            default -> nested(draws);
        };
    }

    /** Arrays or objects nested around the depth Jackson allows by default (500). */
    private static String nested(Draws draws) {
        int depth = draws.chance(50) ? draws.between(490, 510) : draws.between(1, 600);
        boolean objects = draws.chance(50);
        String open = objects ? "{\"a\":" : "[";
        String close = objects ? "}" : "]";
        return open.repeat(depth) + "1" + close.repeat(depth);
    }

    // ---------------------------------------------------------------- text, names and JSON values

    /** A topic, type, id or user name: 1 to 1024 chars, no control character, no lone surrogate. */
    static String name(Draws draws) {
        StringBuilder out = new StringBuilder();
        List<Integer> codePoints = draws.list(1, 1024, draws.chance(5) ? 800 : 6, d -> switch (d.pick(8, 2, 3, 1, 2)) {
            case 0 -> d.between(0x20, 0x7e);
            case 1 -> d.element((int) '"', (int) '\\', (int) '/', (int) ':', (int) ' ', 0x2028, 0x2029, 0xFEFF, 0x00A0, 0x200B, 0xFFFD);
            case 2 -> d.chance(50) ? d.between(0xa0, 0xd7ff) : d.between(0xe000, 0xffff);
            case 3 -> d.between(0x10000, 0x10ffff);
            default -> d.element(0x1F600, 0x1F44D, 0x1F1EB, 0x1D11E, 0x10FFFF);
        });
        for (int codePoint : codePoints) {
            if (out.length() + Character.charCount(codePoint) > 1024) {
                break;
            }
            out.appendCodePoint(codePoint);
        }
        return out.toString();
    }

    /** Any Unicode text: control characters, NUL, line breaks, quotes, backslashes, emoji. */
    static String text(Draws draws) {
        StringBuilder out = new StringBuilder();
        draws.list(0, 1000, draws.chance(5) ? 200 : 8, d -> switch (d.pick(8, 3, 3, 2, 2)) {
            case 0 -> d.between(0x20, 0x7e);
            case 1 -> d.between(0x00, 0x1f);
            case 2 -> d.element((int) '"', (int) '\\', 0x7f, 0x85, 0x2028, 0xFEFF, 0xFFFE, 0xFFFF);
            case 3 -> d.chance(50) ? d.between(0x80, 0xd7ff) : d.between(0xe000, 0xffff);
            default -> d.between(0x10000, 0x10ffff);
        }).forEach(out::appendCodePoint);
        return out.toString();
    }

    static Object jsonValue(Draws draws, int depth) {
        int kinds = depth >= 4 ? 4 : 6;
        return switch (draws.pick(Arrays.copyOf(new int[] {3, 3, 1, 1, 2, 2}, kinds))) {
            case 0 -> text(draws);
            case 1 -> number(draws);
            case 2 -> draws.chance(50);
            case 3 -> null;
            case 4 -> jsonArray(draws, depth + 1);
            default -> jsonObject(draws, depth + 1);
        };
    }

    private static List<Object> jsonArray(Draws draws, int depth) {
        return draws.list(0, 6, 2, d -> jsonValue(d, depth));
    }

    private static Map<String, Object> jsonObject(Draws draws, int depth) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (String key : draws.list(0, 6, 2, PublishRequestsPropertiesTest::text)) {
            object.put(key, jsonValue(draws, depth));
        }
        return object;
    }

    /** Integers of every size, and finite doubles and decimals. */
    static Object number(Draws draws) {
        return switch (draws.pick(3, 2, 1, 3, 1, 1)) {
            case 0 -> draws.between(-1000, 1000);
            case 1 -> draws.between(Long.MIN_VALUE / 2 + 1, Long.MAX_VALUE / 2);
            case 2 -> draws.element(Long.MIN_VALUE, Long.MAX_VALUE, new BigInteger("-9223372036854775809"), new BigInteger("18446744073709551616"),
                    new BigInteger("123456789012345678901234567890123456789"));
            case 3 -> draws.between(-1_000_000L, 1_000_000L) / 64.0;
            case 4 -> draws.element(-0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 0.1, 1.0 / 3);
            default -> new BigDecimal(BigInteger.valueOf(draws.between(-1_000_000L, 1_000_000L)), draws.between(-20, 20));
        };
    }

    /** Whether JSON text has no whitespace outside its strings. */
    static boolean isCompact(String json) {
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    /** Bytes as a Java string literal of Latin-1 chars: printable ASCII as is, everything else escaped. */
    static String showBytes(byte[] bytes) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04x", c));
            }
        }
        return out.append("\" (").append(bytes.length).append(" bytes, each char one byte)").toString();
    }
}
