package dev.herald.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a request target's path and query strictly: percent-escapes must be well formed and
 * decode to valid UTF-8, and a query may hold a bounded number of parameters. The target is given
 * as HTTP servers read the request line: one char per byte (ISO-8859-1), so raw bytes over 0x7F
 * are decoded as UTF-8 together with the escapes. Lenient decoders
 * replace what they cannot read (so a topic or id would differ from what was sent) or drop
 * parameters past a limit without a word; these refuse with {@link InvalidQueryException}.
 */
public final class QueryParameters {

    private QueryParameters() {
    }

    /**
     * The parameters of a raw query ({@code a=1&b=x%20y}), in order; {@code +} is a space.
     *
     * @param rawQuery      the query without {@code ?}, or {@code null}
     * @param maxParameters the most parameters accepted
     * @throws InvalidQueryException for a malformed escape, invalid UTF-8 or too many parameters
     */
    public static Map<String, List<String>> parse(String rawQuery, int maxParameters) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        int count = 0;
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                if (++count > maxParameters) {
                    throw new InvalidQueryException("a request may carry at most " + maxParameters + " query parameters");
                }
                String pair = rawQuery.substring(start, end);
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals), true);
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1), true);
                parameters.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return parameters;
    }

    /** Whether the text needs no decoding: ASCII only, no escapes (and no plus, where it is a space). */
    private static boolean isPlainAscii(String text, boolean plusIsSpace) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' || c >= 0x80 || (c == '+' && plusIsSpace)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes a path: percent-escapes, strictly; {@code +} stays a plus.
     *
     * @throws InvalidQueryException for a malformed escape or invalid UTF-8
     */
    public static String decodePath(String rawPath) {
        return decode(rawPath, false);
    }

    private static String decode(String text, boolean plusIsSpace) {
        if (isPlainAscii(text, plusIsSpace)) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0 || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new InvalidQueryException("a malformed percent-escape in the request target at \""
                            + text.substring(i, Math.min(text.length(), i + 3)) + "\"");
                }
                bytes.write(Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else if (c < 0x100) {
                // A server reads the request line as bytes, one char each: a raw byte over 0x7F (not
                // valid in a target, but sent by some clients) is decoded as UTF-8 with the rest.
                bytes.write(c);
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidQueryException("the request target is not valid UTF-8 once decoded");
        }
    }
}
