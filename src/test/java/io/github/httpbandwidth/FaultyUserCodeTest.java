package io.github.httpbandwidth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client key or an endpoint classifier of the user's that misbehaves (a key whose {@code toString()} returns
 * null or throws, whose {@code hashCode()} or {@code equals()} throws, an {@code Error} from a key or a classifier)
 * never stops the counting: every exchange is recorded, on {@code (unidentified)} or {@code (unmatched)}, the fault
 * is counted, every read of the handler's MBeans works, and no exchange stays in flight.
 */
class FaultyUserCodeTest {

    private static final HttpString FAULT = new HttpString("X-Fault");

    /** What a key of the user's returns for one request's {@code X-Fault} header. */
    private static Object faultyKey(HttpServerExchange exchange) {
        String fault = exchange.getRequestHeaders().getFirst(FAULT);
        if (fault == null) {
            return "good";
        }
        return switch (fault) {
            case "null-name" -> new Named(() -> null);
            case "throwing-name" -> new Named(() -> {
                throw new IllegalStateException("toString");
            });
            case "throwing-hash" -> new Object() {
                @Override
                public int hashCode() {
                    throw new IllegalStateException("hashCode");
                }
            };
            case "throwing-equals" -> new Object() {
                @Override
                public int hashCode() {
                    return 42;
                }

                @Override
                public boolean equals(Object other) {
                    throw new IllegalStateException("equals");
                }

                @Override
                public String toString() {
                    return "equals-thrower";
                }
            };
            case "assertion" -> throw new AssertionError("a key's assertion");
            case "stack-overflow" -> throw new StackOverflowError();
            default -> fault;
        };
    }

    /** A key whose name comes from {@code name}, equal only to itself. */
    private record Named(Supplier<String> name) {
        @Override
        public String toString() {
            return name.get();
        }
    }

    @Test
    void aFaultyClientKeyNeverStopsTheCounting() throws Exception {
        List<String> faults = List.of("null-name", "throwing-name", "throwing-hash", "throwing-equals",
                "throwing-equals", "assertion", "stack-overflow");
        BandwidthStats stats = BandwidthStats.builder().name("faulty-key").clientKey(FaultyUserCodeTest::faultyKey)
                .build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            int in = 0;
            for (String fault : faults) {
                in++;
                post(http, fault, in);
            }
            post(http, null, 100);
            BandwidthSnapshot s = Await.completed(stats, faults.size() + 1);

            assertThat(s.requests()).isEqualTo(faults.size() + 1);
            assertThat(s.requestsInFlight()).isZero();
            assertThat(s.bytesReceived()).isEqualTo(28 + 100);
            // Each fault is counted once, and its exchange is on (unidentified): a null or throwing toString(), a
            // hashCode() that throws (Object's toString() calls it), an Error. A key is named by its toString() on
            // the request thread, so its equals() is never called: the two equals-throwers share their name's row.
            assertThat(s.clientKeyErrors()).isEqualTo(5);
            assertThat(s.clients()).extracting(ClientSnapshot::client, ClientSnapshot::bytesReceived,
                    ClientSnapshot::requests).containsExactly(
                    org.assertj.core.api.Assertions.tuple("good", 100L, 1L),
                    org.assertj.core.api.Assertions.tuple("equals-thrower", 4L + 5L, 2L),
                    org.assertj.core.api.Assertions.tuple(ClientTable.UNIDENTIFIED, 1L + 2L + 3L + 6L + 7L, 5L),
                    org.assertj.core.api.Assertions.tuple(ClientTable.OTHER, 0L, 0L));
            assertEveryAttributeReads("faulty-key");
        } finally {
            stats.close();
        }
    }

    @Test
    void aClassifierThrowingAnErrorLeavesNoExchangeInFlight() throws Exception {
        EndpointClassifier faulty = exchange -> {
            String fault = exchange.getRequestHeaders().getFirst(FAULT);
            if ("assertion".equals(fault)) {
                throw new AssertionError("a classifier's assertion");
            }
            if ("stack-overflow".equals(fault)) {
                throw new StackOverflowError();
            }
            return "/named";
        };
        BandwidthStats stats = BandwidthStats.builder().name("faulty-classifier").classifier(faulty).build();
        stats.registerMBean(ManagementFactory.getPlatformMBeanServer());
        try (TestServer server = TestServer.start(new BandwidthHandler(stats, TopClientsTest.echo()));
             RawHttp http = new RawHttp(server.port())) {
            post(http, "assertion", 3);
            post(http, "stack-overflow", 4);
            post(http, null, 5);
            BandwidthSnapshot s = Await.completed(stats, 3);

            assertThat(s.requestsInFlight()).isZero();
            assertThat(s.classifierErrors()).isEqualTo(2);
            assertThat(s.endpoints()).filteredOn(e -> e.requests() > 0)
                    .extracting(EndpointSnapshot::endpoint, EndpointSnapshot::bytesReceived)
                    .containsExactlyInAnyOrder(org.assertj.core.api.Assertions.tuple("/named", 5L),
                            org.assertj.core.api.Assertions.tuple(EndpointTable.UNMATCHED, 7L));
            assertEveryAttributeReads("faulty-classifier");
        } finally {
            stats.close();
        }
    }

    private static void post(RawHttp http, String fault, int in) throws java.io.IOException {
        String head = "POST /echo?out=1 HTTP/1.1\r\nHost: localhost\r\n"
                + (fault == null ? "" : "X-Fault: " + fault + "\r\n") + "Content-Length: " + in + "\r\n\r\n";
        http.sendRaw(java.util.Arrays.copyOf(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                head.length() + in));
        assertThat(http.readResponse(false).status()).isEqualTo(200);
    }

    /** Every attribute of the handler's MBean and of each of its console MBeans, read the way JConsole does. */
    static void assertEveryAttributeReads(String handler) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = new java.util.HashSet<>(server.queryNames(
                new ObjectName(BandwidthStats.JMX_DOMAIN + ":name=" + handler + ",*"), null));
        names.addAll(server.queryNames(new ObjectName(MBeanPublisher.CONSOLE_DOMAIN + ":name=" + handler + ",*"),
                null));
        assertThat(names).hasSizeGreaterThan(3);
        List<String> failures = new ArrayList<>();
        for (ObjectName name : names) {
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                try {
                    server.getAttribute(name, attribute.getName());
                } catch (Exception e) {
                    failures.add(name + " " + attribute.getName() + ": " + e);
                }
            }
        }
        assertThat(failures).isEmpty();
    }
}
