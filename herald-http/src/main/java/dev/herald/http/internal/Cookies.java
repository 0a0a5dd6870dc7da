package dev.herald.http.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code Cookie} request header ({@code name=value; name2=value2}, RFC 6265 section 4.2).
 * {@link java.net.HttpCookie#parse} reads {@code Set-Cookie} headers, where {@code ;} starts an
 * attribute, so it would take the second cookie for an attribute of the first.
 */
public final class Cookies {

    private Cookies() {
    }

    /**
     * The cookies of a {@code Cookie} header, in order, the first of a repeated name winning (as
     * servlet containers and Netty's decoder do). Pairs without a name or without {@code =} are
     * skipped; a value in double quotes loses them.
     *
     * @param header the header, or {@code null}
     */
    public static Map<String, String> parse(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String pair : header.split(";")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = pair.substring(0, equals).strip();
            String value = pair.substring(equals + 1).strip();
            if (name.isEmpty()) {
                continue;
            }
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            cookies.putIfAbsent(name, value);
        }
        return Collections.unmodifiableMap(cookies);
    }
}
