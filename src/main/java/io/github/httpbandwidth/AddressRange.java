package io.github.httpbandwidth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** An IP address or a CIDR range of them ({@code 10.0.0.0/8}), parsed without any name lookup. */
final class AddressRange {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
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

    /** The address written in {@code text} ({@code [::1]} too), or {@code null} if it is not an IP literal. */
    static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!IPV4.matcher(bare).matches() && !IPV6.matcher(bare).matches()) {
            return null;
        }
        try {
            // A literal: no name lookup happens.
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
