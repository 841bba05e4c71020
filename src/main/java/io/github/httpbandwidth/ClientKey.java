package io.github.httpbandwidth;

import io.undertow.security.api.SecurityContext;
import io.undertow.security.idm.Account;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Says which client an exchange belongs to, so its body bytes and its request count land on that client's row of
 * the top clients ({@code Clients}; see {@link BandwidthStats.Builder#clientKey}).
 *
 * <p>Called once per exchange, when it completes, on the request's thread: keep it cheap and allocation-free (the
 * built-ins return an object the exchange already holds). The key may be any object whose {@code equals} and
 * {@code hashCode} tell clients apart and whose {@code toString()} names the client (an {@link InetAddress} is named
 * by its address); it is turned into a name only when the table keeps it, and names are cut to
 * {@value ClientTable#MAX_NAME_LENGTH} characters, control characters becoming {@code ?}. Return {@code null} when
 * the client is unknown: such exchanges share the {@value ClientTable#UNIDENTIFIED} row. An exception thrown here is
 * caught and counted in {@code ClientKeyErrors}, and the exchange goes to that row; the request never notices.
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
        return exchange -> {
            Object key = key(exchange);
            return key != null ? key : fallback.key(exchange);
        };
    }

    /** The address (without the port) the connection comes from, as Undertow gives it in {@code getSourceAddress()}. */
    static ClientKey remoteAddress() {
        return ClientKeys.REMOTE_ADDRESS;
    }

    /**
     * The first value of the request header {@code name} (for example the scheduler's {@code X-Worker-Id}), or
     * {@code null} when the request has none or it is empty.
     *
     * @throws IllegalArgumentException for {@code Authorization}, {@code Proxy-Authorization} and {@code Cookie}:
     *     their values are secrets, and a key becomes a label
     */
    static ClientKey header(String name) {
        Objects.requireNonNull(name, "name");
        if (ClientKeys.SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header: got " + name + ", whose values are secrets and would become "
                    + "labels in every scrape; allowed is any other header, such as X-Worker-Id");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("header: got a blank name; allowed is a header name such as "
                    + "X-Worker-Id");
        }
        HttpString header = new HttpString(name);
        return exchange -> {
            String value = exchange.getRequestHeaders().getFirst(header);
            return value == null || value.isEmpty() ? null : value;
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
     * the right-most address of {@code X-Forwarded-For} that is not itself a trusted proxy; otherwise, or when the
     * header is missing, the connection's address. A client that does not come through a trusted proxy can
     * therefore not choose its key.
     *
     * @param trustedProxies addresses ({@code 10.0.0.7}, {@code ::1}) or ranges ({@code 10.0.0.0/8},
     *     {@code fd00::/8}) of the proxies in front of this server
     * @throws IllegalArgumentException when one is neither
     */
    static ClientKey forwardedFor(String... trustedProxies) {
        List<AddressRange> proxies = AddressRange.parseAll(trustedProxies);
        return exchange -> ClientKeys.forwardedFor(exchange, proxies);
    }
}

/** The built-in keys' shared parts. */
final class ClientKeys {

    static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");
    private static final HttpString X_FORWARDED_FOR = new HttpString("X-Forwarded-For");

    static final ClientKey REMOTE_ADDRESS = exchange -> {
        InetSocketAddress source = exchange.getSourceAddress();
        return source == null ? null : source.getAddress();
    };

    static final ClientKey PRINCIPAL = exchange -> {
        SecurityContext security = exchange.getSecurityContext();
        Account account = security == null ? null : security.getAuthenticatedAccount();
        return account == null || account.getPrincipal() == null ? null : account.getPrincipal().getName();
    };

    private ClientKeys() {
    }

    static Object forwardedFor(HttpServerExchange exchange, List<AddressRange> proxies) {
        InetSocketAddress source = exchange.getSourceAddress();
        InetAddress peer = source == null ? null : source.getAddress();
        if (peer == null || !AddressRange.anyContains(proxies, peer)) {
            return peer;
        }
        String forwarded = exchange.getRequestHeaders().getLast(X_FORWARDED_FOR);
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        String client = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            client = hops[i].trim();
            InetAddress hop = AddressRange.literal(client);
            if (hop == null || !AddressRange.anyContains(proxies, hop)) {
                break;
            }
        }
        return client == null || client.isEmpty() ? peer : client;
    }
}
