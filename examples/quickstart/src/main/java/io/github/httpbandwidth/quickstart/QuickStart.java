package io.github.httpbandwidth.quickstart;

import io.github.httpbandwidth.BandwidthHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.util.PathTemplateMatch;

/**
 * The smallest useful setup: an Undertow API on 127.0.0.1 whose body bandwidth shows live in JConsole as
 * io.github.httpbandwidth:type=BandwidthStats,name=quickstart.
 */
public final class QuickStart {

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv().getOrDefault("QUICKSTART_PORT", "8080"));
        RoutingHandler routes = Handlers.routing()
                .get("/hello", ex -> ex.getResponseSender().send("hello\n"))
                .get("/jobs/{id}", ex -> ex.getResponseSender().send(
                        "{\"id\":\"" + ex.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("id") + "\"}\n"))
                .post("/echo", ex -> ex.getRequestReceiver().receiveFullBytes(
                        (e, body) -> e.getResponseSender().send(java.nio.ByteBuffer.wrap(body))));

        // The one line that switches the monitor on.
        HttpHandler root = BandwidthHandler.monitor("quickstart", routes);

        Undertow server = Undertow.builder().addHttpListener(port, "127.0.0.1").setHandler(root).build();
        server.start();
        System.out.println("Listening on http://127.0.0.1:" + port + "  (Ctrl-C stops it)");
        System.out.println("  curl http://127.0.0.1:" + port + "/hello");
        System.out.println("  curl --data-binary @pom.xml http://127.0.0.1:" + port + "/echo");
        System.out.println("  curl http://127.0.0.1:" + port + "/jobs/42");
        System.out.println("Then: jconsole " + ProcessHandle.current().pid()
                + "  -> MBeans -> io.github.httpbandwidth -> BandwidthStats -> quickstart");
        System.out.println("  (BytesReceived, BytesSent and Requests move at once; a new row of Endpoints shows 0 for its"
                + " first 2 minutes, the row hold that lets Prometheus count it, while the console's"
                + " io.github.httpbandwidth.console -> quickstart -> Endpoints shows it live)");
    }
}
