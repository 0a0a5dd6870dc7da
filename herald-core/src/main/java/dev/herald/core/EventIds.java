package dev.herald.core;

import java.util.OptionalLong;
import java.util.UUID;

/**
 * Event ids as URNs: {@code urn:uuid:} UUIDs (RFC 9562 version 8, "custom") that carry a log
 * position, for protocols whose ids are IRIs (Mercure). Converting is arithmetic, so resuming from
 * such an id needs no lookup, and any node of a cluster reads the ids any other wrote.
 *
 * <p>Layout: the first 48 bits spell {@code herald} in ASCII ({@code 68657261-6c64}), then the
 * version (8), the position's top 12 bits, the variant ({@code 10}), ten zero bits and the
 * position's low 52 bits: {@code urn:uuid:68657261-6c64-8PPP-8PPP-PPPPPPPPPPPP}.
 */
public final class EventIds {

    /** What every id of this form starts with. */
    public static final String URN_PREFIX = "urn:uuid:";
    /** The Mercure {@code Last-Event-ID} that asks for everything the hub retains. */
    public static final String EARLIEST = "earliest";

    private static final long MARKER = 0x6865_7261_6c64L; // "herald"
    private static final long LOW_52 = (1L << 52) - 1;

    private EventIds() {
    }

    /** The URN of this log position. */
    public static String urn(long position) {
        if (position <= 0) {
            throw new IllegalArgumentException("log positions are positive, got " + position);
        }
        long high = MARKER << 16 | 0x8000L | position >>> 52;
        long low = 0x8000_0000_0000_0000L | position & LOW_52;
        return URN_PREFIX + new UUID(high, low);
    }

    /**
     * The id a Mercure client knows an event by: the id its publisher gave ({@link Event#key()}),
     * or else the {@link #urn URN} of its position.
     */
    public static String mercureId(Event event) {
        return event.key() != null ? event.key() : urn(event.id());
    }

    /**
     * Whether the text has the form of an id the hub makes itself, which resumes by position
     * without a lookup: a Herald cursor ({@code 42}, {@code 42~45}), a {@link #urn URN} of this
     * class, or {@code earliest}. Anything else can only be a publisher's id, found in the log.
     */
    public static boolean isHubForm(String text) {
        if (text.equals(EARLIEST) || position(text).isPresent()) {
            return true;
        }
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && c != '~') {
                return false;
            }
        }
        return true;
    }

    /** The log position a URN of {@link #urn} carries, or empty for any other text (other UUIDs included). */
    public static OptionalLong position(String text) {
        if (text == null || text.length() != URN_PREFIX.length() + 36 || !text.regionMatches(true, 0, URN_PREFIX, 0, URN_PREFIX.length())) {
            return OptionalLong.empty();
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(text.substring(URN_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        long high = uuid.getMostSignificantBits();
        long low = uuid.getLeastSignificantBits();
        if (high >>> 16 != MARKER || (high & 0xF000L) != 0x8000L || low >>> 52 != 0x800L) {
            return OptionalLong.empty();
        }
        long position = (high & 0xFFFL) << 52 | low & LOW_52;
        return position > 0 ? OptionalLong.of(position) : OptionalLong.empty();
    }
}
