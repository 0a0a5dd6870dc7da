package dev.herald.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies (load balancers, TLS terminators) whose {@code X-Forwarded-For} the server believes:
 * behind one, every connection comes from the proxy, and the client's address is the last one
 * the proxy appended. Addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}). Immutable.
 */
public final class TrustedProxies {

    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** Believes no proxy: the client's address is always the peer's. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses addresses and CIDR blocks (IP literals only, never host names).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static TrustedProxies of(List<String> addressesOrBlocks) {
        List<Block> blocks = new ArrayList<>();
        for (String text : addressesOrBlocks) {
            String trimmed = text.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int slash = trimmed.indexOf('/');
            byte[] address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: \"" + text + "\"");
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a CIDR block: \"" + text + "\"");
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("prefix length out of range: \"" + text + "\"");
                }
            }
            blocks.add(new Block(address, bits));
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(blocks));
    }

    /** Whether any proxy is trusted. */
    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether the address (an IP literal) is a trusted proxy. */
    public boolean trusts(String address) {
        byte[] bytes = address == null ? null : literal(address);
        if (bytes == null) {
            return false;
        }
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address: the peer's, unless the peer is a trusted proxy, in which case the
     * rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy.
     *
     * @param peer          the connection's remote IP address
     * @param forwardedFor  the {@code X-Forwarded-For} header, or {@code null}
     */
    public String clientAddress(String peer, String forwardedFor) {
        if (forwardedFor == null || blocks.isEmpty() || !trusts(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (literal(hop) == null) {
                return peer; // not an address: believe nothing further
            }
            if (!trusts(hop)) {
                return hop;
            }
        }
        return peer;
    }

    /** The bytes of an IP literal, or {@code null} if the text is not one (host names are never resolved). */
    private static byte[] literal(String text) {
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') < 0) {
            return ipv4(host);
        }
        if (!host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            // With a colon the JDK reads the text as an IPv6 literal and never asks DNS.
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Four decimal parts of 0 to 255, or {@code null}. */
    private static byte[] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private record Block(byte[] address, int bits) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (candidate[full] & mask) == (address[full] & mask);
        }
    }
}
