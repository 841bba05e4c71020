package io.github.httpbandwidth;

import io.undertow.security.api.SecurityContext;
import io.undertow.security.idm.Account;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/** The built-in keys' shared parts. */
final class ClientKeys {

    static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");
    /** The most {@code X-Forwarded-For} hops read, from the right. */
    static final int MAX_FORWARDED_HOPS = 16;
    /** The most characters of {@code X-Forwarded-For} read, from the right (16 hops of the longest address). */
    static final int MAX_FORWARDED_CHARS = 1024;
    private static final HttpString X_FORWARDED_FOR = new HttpString("X-Forwarded-For");

    static final ClientKey REMOTE_ADDRESS = exchange -> peerOf(exchange.getConnection(), exchange);

    /** The connection's peer address, or the exchange's source address when it has no connection. */
    static InetAddress peerOf(ServerConnection connection, HttpServerExchange exchange) {
        InetSocketAddress peer = connection == null ? exchange.getSourceAddress()
                : connection.getPeerAddress(InetSocketAddress.class);
        return peer == null ? null : peer.getAddress();
    }

    static final ClientKey PRINCIPAL = exchange -> {
        SecurityContext security = exchange.getSecurityContext();
        Account account = security == null ? null : security.getAuthenticatedAccount();
        return account == null || account.getPrincipal() == null ? null : account.getPrincipal().getName();
    };

    /**
     * {@code first}, or {@code fallback} when it gives {@code null}. A type of its own so that the client table can
     * see a {@link #REMOTE_ADDRESS} inside it and answer that from the address its thread remembers.
     */
    record OrElse(ClientKey first, ClientKey fallback) implements ClientKey {
        @Override
        public Object key(HttpServerExchange exchange) {
            Object key = first.key(exchange);
            return key != null ? key : fallback.key(exchange);
        }
    }

    private ClientKeys() {
    }

    /**
     * Whether {@code value} is empty or blanks (spaces, tabs) only, as far as a client name is ever read
     * ({@value ClientTable#MAX_FOLDED_SCAN} characters): an honest value costs one character's look.
     */
    static boolean blank(String value) {
        int scan = Math.min(value.length(), ClientTable.MAX_FOLDED_SCAN);
        for (int i = 0; i < scan; i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} is a header name: a token of RFC 9110 (letters, digits, {@code !#$%&'*+-.^_`|~}). */
    static boolean isHeaderName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                return false;
            }
        }
        return true;
    }

    static ClientKey parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw refused(spec);
        }
        ClientKey chain = null;
        for (String part : spec.split("\\|", -1)) {
            ClientKey key = parseOne(part.trim(), spec);
            chain = chain == null ? key : chain.orElse(key);
        }
        return chain;
    }

    private static ClientKey parseOne(String part, String spec) {
        if (part.equals("remote-address")) {
            return REMOTE_ADDRESS;
        }
        if (part.equals("principal")) {
            return PRINCIPAL;
        }
        if (part.startsWith("header:") && part.length() > "header:".length()) {
            return ClientKey.header(part.substring("header:".length()).trim());
        }
        if (part.startsWith("forwarded-for:") && !part.substring("forwarded-for:".length()).isBlank()) {
            try {
                return ClientKey.forwardedFor(part.substring("forwarded-for:".length()).trim().split("[\\s,]+"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(refused(spec).getMessage() + " (" + e.getMessage() + ")", e);
            }
        }
        throw refused(spec);
    }

    private static IllegalArgumentException refused(String spec) {
        return new IllegalArgumentException("client key: got " + (spec == null ? "null" : '"' + spec + '"')
                + "; allowed are remote-address, principal, header:<name>, forwarded-for:<proxy address or range> "
                + "(several separated by spaces or commas), or several keys separated by |, such as header:X-Worker-Id|remote-address");
    }

    /**
     * The client a trusted proxy forwards (see {@link ClientKey#forwardedFor}). Reads the header lines from the
     * right, at most {@value #MAX_FORWARDED_HOPS} hops and {@value #MAX_FORWARDED_CHARS} characters, each character
     * once, and parses only hops short enough to be an address: linear and bounded, whatever the header holds.
     */
    static Object forwardedFor(HttpServerExchange exchange, List<AddressRange> proxies) {
        InetAddress peer = peerOf(exchange.getConnection(), exchange);
        if (peer == null || !AddressRange.anyContains(proxies, peer)) {
            return peer;
        }
        HeaderValues lines = exchange.getRequestHeaders().get(X_FORWARDED_FOR);
        if (lines == null) {
            return peer;
        }
        // Several header lines are one list, in order; each proxy appends the address it got the request from.
        InetAddress leftmost = peer;
        int budget = MAX_FORWARDED_CHARS;
        int hops = 0;
        for (int l = lines.size() - 1; l >= 0; l--) {
            String line = lines.get(l);
            int end = line.length();
            while (end >= 0) {
                int start = end;
                while (start > 0 && line.charAt(start - 1) != ',' && budget > 0) {
                    start--;
                    budget--;
                }
                if (start > 0 && line.charAt(start - 1) != ',') {
                    // The hop goes on past what is read: it names nobody for certain.
                    return null;
                }
                String hop = line.substring(start, end).trim();
                InetAddress address = AddressRange.literal(hop);
                if (address == null || !AddressRange.anyContains(proxies, address)) {
                    // The first hop from the right that is not a trusted proxy: an address (named as a connection's
                    // would be), or whatever the proxy wrote (an obfuscated identifier, "unknown").
                    return address != null ? address : hop.isEmpty() ? peer : hop;
                }
                leftmost = address;
                if (++hops == MAX_FORWARDED_HOPS || budget == 0) {
                    return leftmost;
                }
                budget--;
                end = start - 1;
            }
        }
        // Every hop is a trusted proxy's range (clients inside it too): the first one is the closest to the client.
        return leftmost;
    }
}
