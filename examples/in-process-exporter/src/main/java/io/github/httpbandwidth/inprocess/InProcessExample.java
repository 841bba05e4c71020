package io.github.httpbandwidth.inprocess;

import io.github.httpbandwidth.BandwidthHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;

import java.nio.file.Path;

/**
 * An Undertow service with the bandwidth monitor and its metrics served in-process, no agent:
 * {@code http://127.0.0.1:8080/hello} and {@code http://127.0.0.1:9090/metrics}. Arguments: the rules file
 * (default {@code jmx-exporter-config.yaml}).
 */
public final class InProcessExample {

    private InProcessExample() {
    }

    public static void main(String[] args) throws Exception {
        Path rules = Path.of(args.length > 0 ? args[0] : "jmx-exporter-config.yaml");
        Undertow server = Undertow.builder().addHttpListener(8080, "127.0.0.1")
                .setHandler(BandwidthHandler.monitor("in-process", Handlers.routing()
                        .get("/hello", ex -> ex.getResponseSender().send("hello\n"))))
                .build();
        server.start();
        InProcessExporter metrics = InProcessExporter.start("127.0.0.1", 9090, rules);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            metrics.close();
            server.stop();
        }));
        System.out.println("http://127.0.0.1:8080/hello, metrics on http://127.0.0.1:" + metrics.port() + "/metrics");
    }
}
