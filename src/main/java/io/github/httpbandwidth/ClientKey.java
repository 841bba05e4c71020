package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Says which client an exchange belongs to, so its body bytes and its request count land on that client's row of
 * the top clients ({@code Clients}; see {@link BandwidthStats.Builder#clientKey}).
 *
 * <p>Called once per exchange, when it completes, on the request's thread: keep it cheap and allocation-free (the
 * built-ins return an object the exchange already holds). Return a {@link String} or an {@link InetAddress} (named
 * by its address); any other object is named by its {@code toString()} at once, on the request's thread, so that
 * what the table keeps is text. Names lose the blanks (spaces, tabs) at either end and have each run of them made
 * one space, so that a header value names one row over HTTP/1.1 (whose parser in Undertow does much the same) and
 * HTTP/2 (whose decoder does not); they are cut to {@value ClientTable#MAX_NAME_LENGTH} characters (a longer key is
 * cut before it is kept, so a megabyte header keeps 128 characters), control characters becoming {@code ?}, and
 * names equal to a fixed row's get a {@code _} in front. Return {@code null} when the client is unknown: such
 * exchanges share the {@value ClientTable#UNIDENTIFIED} row. Whatever is thrown here, by the key or by its
 * {@code toString()}, an {@code Error} too, or a {@code toString()} that returns {@code null}, is caught and counted
 * in {@code ClientKeyErrors}, and the exchange goes to that row; the request never notices.
 *
 * <p>Keys come from the request, so a client may send as many as it likes: the table keeps at most its capacity,
 * whatever arrives. Never key by a secret (a bearer token, a cookie): the key becomes a label in every scrape.
 *
 * <p>Stability: the interface and its static factories are supported.
 */
@FunctionalInterface
public interface ClientKey {

    /** The client of this exchange, or {@code null} when it is unknown. */
    Object key(HttpServerExchange exchange);

    /** This key, or {@code fallback}'s when this one gives {@code null}. */
    default ClientKey orElse(ClientKey fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return new ClientKeys.OrElse(this, fallback);
    }

    /**
     * The address (without the port) the connection comes from: the connection's peer, not what a
     * {@code ProxyPeerAddressHandler} may have put in the exchange (for clients behind a proxy use
     * {@link #forwardedFor}, which believes only the proxies you name). The default key; each thread keeps the
     * address of the last connection it served, so requests of a keep-alive connection cost no allocation (XNIO
     * makes a new {@code InetSocketAddress} for every {@code getPeerAddress()}), also where this key is the fallback
     * of {@link #orElse}; HTTP/2 streams, each a connection object of its own, ask for it each time. An exchange
     * made without a connection is keyed by its source address.
     */
    static ClientKey remoteAddress() {
        return ClientKeys.REMOTE_ADDRESS;
    }

    /**
     * The first value of the request header {@code name} (for example the scheduler's {@code X-Worker-Id}), or
     * {@code null} when the request has none or it is empty or blanks only (spaces, tabs): Undertow's HTTP/1.1 parser
     * hands such a value over empty, its HTTP/2 decoder as sent, and either way it names nobody.
     *
     * @throws IllegalArgumentException for {@code Authorization}, {@code Proxy-Authorization} and {@code Cookie}
     *     (their values are secrets, and a key becomes a label), and for a name no request can carry
     */
    static ClientKey header(String name) {
        Objects.requireNonNull(name, "name");
        if (ClientKeys.SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header: got " + name + ", whose values are secrets and would become "
                    + "labels in every scrape; allowed is any other header, such as X-Worker-Id");
        }
        if (!ClientKeys.isHeaderName(name)) {
            throw new IllegalArgumentException("header: got \"" + name + "\", which is not a header name; allowed are "
                    + "1 or more of the letters, digits and !#$%&'*+-.^_`|~ (RFC 9110's token), such as X-Worker-Id");
        }
        HttpString header = new HttpString(name);
        return exchange -> {
            String value = exchange.getRequestHeaders().getFirst(header);
            return value == null || ClientKeys.blank(value) ? null : value;
        };
    }

    /**
     * The name of the principal the exchange was authenticated as (Undertow's {@code SecurityContext}, which a
     * servlet container's login also sets), or {@code null} when it was not authenticated.
     */
    static ClientKey principal() {
        return ClientKeys.PRINCIPAL;
    }

    /**
     * The client a trusted proxy says it forwards: when the connection comes from one of {@code trustedProxies},
     * the right-most hop of {@code X-Forwarded-For} (all its header lines, in order) that is not itself in a trusted
     * range, named as a connection's address would be ({@code 203.0.113.9:4711} and {@code [2001:db8::1]} are
     * addresses too; a hop that is no address, such as {@code unknown}, is kept as written); the left-most hop when
     * every hop is in a trusted range; otherwise, or when the header is missing, the connection's address. A client
     * that does not come through a trusted proxy can therefore not choose its key.
     *
     * <p>Bounded, whatever a client sends: the header is read from the right, at most
     * {@value ClientKeys#MAX_FORWARDED_HOPS} hops and {@value ClientKeys#MAX_FORWARDED_CHARS} characters, each
     * once. After {@value ClientKeys#MAX_FORWARDED_HOPS} trusted hops the last one read names the client; a hop that
     * reaches past the characters read names nobody ({@code null}: the next key of a chain, or
     * {@value ClientTable#UNIDENTIFIED}). Hops are parsed as IP literals by this library, never looked up as names.
     *
     * @param trustedProxies addresses ({@code 10.0.0.7}, {@code ::1}) or ranges ({@code 10.0.0.0/8},
     *     {@code fd00::/8}) of the proxies in front of this server
     * @throws IllegalArgumentException when one is neither
     */
    static ClientKey forwardedFor(String... trustedProxies) {
        List<AddressRange> proxies = AddressRange.parseAll(trustedProxies);
        return exchange -> ClientKeys.forwardedFor(exchange, proxies);
    }

    /**
     * A key written as text, for configuration files ({@code undertow-handlers.conf}, WildFly's filter parameters):
     * {@code remote-address}, {@code principal}, {@code header:<name>}, {@code forwarded-for:<range> <range>...}
     * (trusted proxies, separated by spaces or commas), or several of them separated by {@code |}, each tried when the one
     * before gives nothing ({@code header:X-Worker-Id|remote-address}).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    static ClientKey parse(String spec) {
        return ClientKeys.parse(spec);
    }
}
