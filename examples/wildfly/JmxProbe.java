import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX client as WildFly's {@code bin/jconsole.sh} is one, for examples/wildfly/check.sh: it connects to the URL
 * given (WildFly's {@code service:jmx:remote+http://host:management-port}, with {@code bin/client/jboss-client.jar} on
 * the class path; on the same machine WildFly lets it in without credentials, as it does jboss-cli), reads every
 * attribute of every MBean in the {@code io.github.httpbandwidth*} domains, one by one as the console does, and calls
 * the in-flight view's operation. Prints {@code mbeans=<n> failures=<attributes that could not be read> requests=<the
 * handler's Requests> bytes_sent=<its BytesSent> endpoint_requests=<Requests of the console's endpoint MBean whose
 * Endpoint is ENDPOINT> endpoint_bytes_sent=<its BytesSent> transfers=<rows of largestTransfersInFlight(5)>}; each
 * failure goes to stderr. Exits 1 when the handler or the endpoint has no MBean.
 *
 * <pre>java -cp jboss-client.jar:. JmxProbe service:jmx:remote+http://127.0.0.1:9990 server '/shop/files/*'</pre>
 */
public final class JmxProbe {

    public static void main(String[] args) throws Exception {
        String handler = args[1];
        String endpoint = args[2];
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), new HashMap<>())) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            Set<ObjectName> names = new TreeSet<>(server.queryNames(new ObjectName("io.github.httpbandwidth*:*"), null));
            int failures = 0;
            for (ObjectName name : names) {
                for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                    try {
                        server.getAttribute(name, attribute.getName());
                    } catch (Exception e) {
                        failures++;
                        System.err.println(name + " " + attribute.getName() + ": " + e);
                    }
                }
            }
            ObjectName stats = new ObjectName("io.github.httpbandwidth:type=BandwidthStats,name=" + handler);
            ObjectName row = null;
            for (ObjectName name : server.queryNames(
                    new ObjectName("io.github.httpbandwidth.console:view=Endpoints,name=" + handler + ",*"), null)) {
                if (endpoint.equals(server.getAttribute(name, "Endpoint"))) {
                    row = name;
                }
            }
            if (!names.contains(stats) || row == null) {
                System.err.println("no MBean " + stats + (row == null ? " or no endpoint MBean for " + endpoint : ""));
                System.exit(1);
            }
            TabularData transfers = (TabularData) server.invoke(
                    new ObjectName("io.github.httpbandwidth.console:name=" + handler + ",view=TransfersInFlight"),
                    "largestTransfersInFlight", new Object[] {5}, new String[] {Integer.class.getName()});
            System.out.println("mbeans=" + names.size() + " failures=" + failures
                    + " requests=" + server.getAttribute(stats, "Requests")
                    + " bytes_sent=" + server.getAttribute(stats, "BytesSent")
                    + " endpoint_requests=" + server.getAttribute(row, "Requests")
                    + " endpoint_bytes_sent=" + server.getAttribute(row, "BytesSent")
                    + " transfers=" + transfers.size());
        }
    }
}
