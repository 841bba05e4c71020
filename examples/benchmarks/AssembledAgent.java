/*
 * What jmx_prometheus_javaagent 1.7.0 does at start, from its parts on Maven Central: a benchmark input, not for use.
 *
 * The agents after 1.0.1 are published on GitHub only and cannot be fetched here, but their rule engine (collector
 * 1.7.0) and client_java's HTTP server and JVM metrics (1.9.0) are on Maven Central. JavaAgent.start in 1.6.0/1.7.0
 * registers the build info, the JVM metrics (excludeJvmMetrics is false by default) and the collector in AGENT mode
 * on the default registry, then starts client_java's HTTPServer on the given address with a pool of 1 to 10 daemon
 * threads (HTTPServerFactory's defaults). This does the same, then runs the application's main class, as the JVM
 * does after an agent's premain. Used by examples/benchmarks/scrape-cost.sh when AGENT=assembled-1.7.
 *
 * Arguments: host:port:rules-file main-class [application arguments...]
 */
package assembled;

import io.prometheus.jmx.BuildInfoMetrics;
import io.prometheus.jmx.JmxCollector;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

public final class AssembledAgent {

    private AssembledAgent() {
    }

    public static void main(String[] args) throws Exception {
        String[] agent = args[0].split(":", 3);
        PrometheusRegistry registry = PrometheusRegistry.defaultRegistry;
        new BuildInfoMetrics().register(registry);
        JvmMetrics.builder().register(registry);
        new JmxCollector(new File(agent[2]), JmxCollector.Mode.AGENT).register(registry);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 10, 120, TimeUnit.SECONDS, new SynchronousQueue<>(true),
                runnable -> {
                    Thread thread = new Thread(runnable, "prometheus-http");
                    thread.setDaemon(true);
                    return thread;
                }, (runnable, executor) -> {
                    // as the agent's BlockingRejectedExecutionHandler: wait for a free thread
                    if (!executor.isShutdown()) {
                        try {
                            executor.getQueue().put(runnable);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        HTTPServer.builder().inetAddress(InetAddress.getByName(agent[0])).port(Integer.parseInt(agent[1]))
                .registry(registry).executorService(pool).buildAndStart();
        Class.forName(args[1]).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
