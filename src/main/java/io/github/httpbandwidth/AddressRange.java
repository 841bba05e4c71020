package io.github.httpbandwidth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** An IP address or a CIDR range of them ({@code 10.0.0.0/8}), parsed without any name lookup. */
final class AddressRange {

    /** The longest literal read: {@code [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535}. */
    static final int LONGEST = 53;

    private final byte[] network;
    private final int prefixBits;

    private AddressRange(byte[] network, int prefixBits) {
        this.network = network;
        this.prefixBits = prefixBits;
    }

    static List<AddressRange> parseAll(String... ranges) {
        if (ranges == null || ranges.length == 0) {
            throw new IllegalArgumentException("trustedProxies: got none; allowed are one or more addresses "
                    + "(10.0.0.7, ::1) or ranges (10.0.0.0/8, fd00::/8)");
        }
        List<AddressRange> parsed = new ArrayList<>(ranges.length);
        for (String range : ranges) {
            parsed.add(parse(range));
        }
        return List.copyOf(parsed);
    }

    static AddressRange parse(String range) {
        String text = range == null ? "" : range.trim();
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        int bits = address == null ? -1 : address.getAddress().length * 8;
        int prefix = bits;
        if (address != null && slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
        }
        if (address == null || prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("trusted proxy: got \"" + range + "\"; allowed are an IP address "
                    + "(10.0.0.7, ::1) or a range of them with a prefix length (10.0.0.0/8, fd00::/8)");
        }
        return new AddressRange(address.getAddress(), prefix);
    }

    /**
     * The address written in {@code text}, or {@code null} if it is not an IP literal: {@code 10.0.0.7},
     * {@code 10.0.0.7:4711} and {@code [::1]:4711} (a port, as some proxies write it, is left out), {@code ::1},
     * {@code [::1]}. Parsed here, in time linear in the text and never past {@value #LONGEST} characters, and turned
     * into an address by {@link InetAddress#getByAddress(byte[])}: never a name lookup, whatever the text.
     */
    static InetAddress literal(String text) {
        if (text.length() > LONGEST) {
            return null;
        }
        String bare = text;
        if (bare.startsWith("[")) {
            int end = bare.indexOf(']');
            if (end < 0 || !port(bare, end + 1)) {
                return null;
            }
            bare = bare.substring(1, end);
        } else if (bare.indexOf(':') == bare.lastIndexOf(':') && bare.indexOf(':') > 0) {
            if (!port(bare, bare.indexOf(':'))) {
                return null;
            }
            bare = bare.substring(0, bare.indexOf(':'));
        }
        byte[] bytes = bare.indexOf(':') >= 0 ? ipv6(bare) : ipv4(bare);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code text} from {@code at} on is nothing, or a colon and a port number. */
    private static boolean port(String text, int at) {
        if (at == text.length()) {
            return true;
        }
        if (text.charAt(at) != ':' || text.length() - at < 2 || text.length() - at > 6) {
            return false;
        }
        for (int i = at + 1; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Four decimal octets, each 0 to 255 in at most three digits; else {@code null}. */
    private static byte[] ipv4(String text) {
        byte[] bytes = new byte[4];
        int octet = 0;
        int digits = 0;
        int value = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && value <= 255 && octet < 4) {
                bytes[octet++] = (byte) value;
                digits = 0;
                value = 0;
            } else {
                return null;
            }
        }
        return octet == 4 ? bytes : null;
    }

    /**
     * Eight groups of 1 to 4 hex digits separated by colons, at most one {@code ::} standing for one or more groups
     * of zeros, the last two groups possibly written as an IPv4 address; else {@code null}.
     */
    private static byte[] ipv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap < 0 ? text : text.substring(0, gap), gap < 0);
        int[] tail = gap < 0 ? new int[0] : groups(text.substring(gap + 2), true);
        if (head == null || tail == null || (gap < 0 ? head.length != 8 : head.length + tail.length > 7)) {
            return null;
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < head.length; i++) {
            bytes[2 * i] = (byte) (head[i] >> 8);
            bytes[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 8 - tail.length + i;
            bytes[2 * at] = (byte) (tail[i] >> 8);
            bytes[2 * at + 1] = (byte) tail[i];
        }
        return bytes;
    }

    /** The 16-bit groups of {@code part}; an IPv4 address at its end (when allowed) gives two. */
    private static int[] groups(String part, boolean ipv4Last) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] pieces = part.split(":", -1);
        int n = pieces.length;
        boolean ipv4 = ipv4Last && pieces[n - 1].indexOf('.') >= 0;
        int[] groups = new int[ipv4 ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String piece = pieces[i];
            if (ipv4 && i == n - 1) {
                byte[] quad = ipv4(piece);
                if (quad == null) {
                    return null;
                }
                groups[i] = (quad[0] & 0xFF) << 8 | quad[1] & 0xFF;
                groups[i + 1] = (quad[2] & 0xFF) << 8 | quad[3] & 0xFF;
                continue;
            }
            if (piece.isEmpty() || piece.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < piece.length(); j++) {
                int digit = Character.digit(piece.charAt(j), 16);
                if (digit < 0 || piece.charAt(j) > 'f') {
                    return null;
                }
                value = value << 4 | digit;
            }
            groups[i] = value;
        }
        return groups;
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefixBits / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (bytes[whole] & mask) == (network[whole] & mask);
    }

    static boolean anyContains(List<AddressRange> ranges, InetAddress address) {
        for (AddressRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
