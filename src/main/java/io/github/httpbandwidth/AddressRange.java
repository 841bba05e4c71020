package io.github.httpbandwidth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** An IP address or a CIDR range of them ({@code 10.0.0.0/8}), parsed without any name lookup. */
final class AddressRange {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

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
     * {@code [::1]}. Never a name lookup: IPv4 is parsed here, and the JDK parses a text with a colon as an IPv6
     * literal or refuses it.
     */
    static InetAddress literal(String text) {
        String bare = text;
        if (bare.startsWith("[")) {
            int end = bare.indexOf(']');
            if (end < 0) {
                return null;
            }
            bare = bare.substring(1, end);
        } else if (bare.indexOf(':') == bare.lastIndexOf(':') && bare.indexOf(':') > 0) {
            bare = bare.substring(0, bare.indexOf(':'));
        }
        java.util.regex.Matcher v4 = IPV4.matcher(bare);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        if (!IPV6.matcher(bare).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
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
