package io.github.httpbandwidth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Client keys and endpoint names that look like the exporter's own pattern strings, sent as real requests to an
 * app served like {@link ExporterTestApp} (a {@link HeaderClassifier}, the key {@code header:X-Worker-Id}), with
 * what each row must then show: every name's bytes and requests, worked out from what was sent and read back.
 */
final class HostileTraffic {

    /** Pieces of the strings the exporter matches rules against, and of our rows' own names. */
    private static final String[] FRAGMENTS = {
        "><Clients>bytesReceived: 0", "><Clients>requests: ", "><Clients>bytesSent: <cache>",
        "><Endpoints>bytesSent: 1", "><Endpoints>requests: ", "><EndpointStatusClasses>requests: ",
        "io.github.httpbandwidth<type=BandwidthStats, name=x, client=", ", endpoint=", ", statusClass=2xx, endpoint=",
        "io.github.httpbandwidth<type=BandwidthStats, name=h><>BytesReceived: ", "><>Requests: 7", "<cache>", ": ",
        "(other)", "(unidentified)", "(overflow)", "(unmatched)", "(departed)", "(departed)><Clients>requests: 3",
        "(departed)><Clients>", "$1", "$2", "\\", "\"", "*", ",", "=", "<", ">",
        ":", "le=+Inf", "_objectname", "name=", "><", "}", "{", "\\n", "#", "'",
    };
    private static final String PLAIN = "<>:=,\"\\*?abcXYZ019 .-_/{}()$#";

    /**
     * Header values: printable ASCII, never blank, no space at either end and no two in a row (Undertow's parser
     * trims those and folds a run of spaces into one).
     */
    static List<String> clientKeys(long seed, int count) {
        Random random = new Random(seed);
        Set<String> keys = new LinkedHashSet<>();
        while (keys.size() < count) {
            String key = compose(random, false).strip().replaceAll(" +", " ");
            if (!key.isEmpty()) {
                keys.add(keys.size() % 97 == 5 ? key.repeat(1 + ClientTable.MAX_NAME_LENGTH / key.length()) : key);
            }
        }
        return new ArrayList<>(keys);
    }

    /** Any string a classifier may return: control characters, line breaks, lone surrogates, non-ASCII too. */
    static List<String> endpointNames(long seed, int count) {
        Random random = new Random(seed);
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < count) {
            String name = compose(random, true);
            names.add(names.size() % 89 == 7 ? name.repeat(1 + EndpointNames.MAX_LENGTH / name.length()) : name);
        }
        return new ArrayList<>(names);
    }

    private static String compose(Random random, boolean anyCharacter) {
        StringBuilder name = new StringBuilder();
        for (int parts = 1 + random.nextInt(6); parts > 0; parts--) {
            int pick = random.nextInt(10);
            if (pick < 5) {
                name.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            } else if (pick < 9 || !anyCharacter) {
                name.append(PLAIN.charAt(random.nextInt(PLAIN.length())));
            } else {
                char[] odd = {'\n', '\r', '\u0000', '\t', '\u007f', '\u0085', 'é', 'ジ', '\ud800', '\udc00', '\u2028'};
                name.append(odd[random.nextInt(odd.length)]);
            }
        }
        return name.toString();
    }

    /** Body bytes in, body bytes out and requests of one row, as sent. */
    static final class Row {
        long bytesReceived;
        long bytesSent;
        long requests;

        void add(long in, long out) {
            bytesReceived += in;
            bytesSent += out;
            requests++;
        }

        @Override
        public String toString() {
            return "in=" + bytesReceived + " out=" + bytesSent + " requests=" + requests;
        }
    }

    final Map<String, Row> endpoints = new TreeMap<>();
    /** By status class, then endpoint. */
    final Map<String, Map<String, Row>> statusClasses = new TreeMap<>();
    final Map<String, Row> clients = new TreeMap<>();
    final Row total = new Row();

    /**
     * One request per endpoint name over one keep-alive connection, the client keys taken in turn: every fifth a
     * {@code GET} of a path no route has (404, no body), the others a {@code POST /upload} of 1 to 500 bytes.
     */
    static HostileTraffic send(int port, List<String> endpointNames, List<String> clientKeys) throws IOException {
        HostileTraffic sent = new HostileTraffic();
        try (RawHttp http = new RawHttp(port)) {
            for (int i = 0; i < endpointNames.size(); i++) {
                String key = clientKeys.get(i % clientKeys.size());
                String headers = "Host: localhost\r\nX-Test-Endpoint: " + HeaderClassifier.encode(endpointNames.get(i))
                        + "\r\nX-Worker-Id: " + key + "\r\n";
                int in = i % 5 == 0 ? 0 : 1 + (i * 37) % 500;
                // Head and body in one write: two small writes would wait on the server's delayed acknowledgement.
                String head = in == 0 ? "GET /no-such-route HTTP/1.1\r\n" + headers + "\r\n"
                        : "POST /upload HTTP/1.1\r\n" + headers + "Content-Length: " + in + "\r\n\r\n";
                byte[] request = Arrays.copyOf(head.getBytes(StandardCharsets.ISO_8859_1), head.length() + in);
                http.sendRaw(request);
                RawHttp.Response response = http.readResponse(false);
                long out = response.body().length;
                // What the classifier gets back: UTF-8 percent-encoding writes a lone surrogate as '?'.
                String endpoint = EndpointTable.rowName(java.net.URLDecoder.decode(
                        HeaderClassifier.encode(endpointNames.get(i)), StandardCharsets.UTF_8));
                sent.endpoints.computeIfAbsent(endpoint, e -> new Row()).add(in, out);
                sent.statusClasses.computeIfAbsent(response.status() / 100 + "xx", c -> new TreeMap<>())
                        .computeIfAbsent(endpoint, e -> new Row()).add(in, out);
                sent.clients.computeIfAbsent(ClientTable.name(key), c -> new Row()).add(in, out);
                sent.total.add(in, out);
            }
        }
        return sent;
    }
}
