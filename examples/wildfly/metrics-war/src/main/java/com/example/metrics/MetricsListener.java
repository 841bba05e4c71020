package com.example.metrics;

import io.github.httpbandwidth.inprocess.InProcessExporter;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Serves the shipped rules' metrics in-process on {@code http://127.0.0.1:<bandwidth.metrics.port>/metrics} while
 * this WAR is deployed, from the rules file {@code bandwidth.metrics.rules} (system properties; set them with
 * {@code /system-property=...:add(value=...)} in jboss-cli).
 */
@WebListener
public class MetricsListener implements ServletContextListener {

    private InProcessExporter exporter;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String rules = System.getProperty("bandwidth.metrics.rules");
        String port = System.getProperty("bandwidth.metrics.port");
        if (rules == null || port == null) {
            throw new IllegalStateException("set the system properties bandwidth.metrics.rules (the path of "
                    + "jmx-exporter-config.yaml) and bandwidth.metrics.port (1 to 65535) before deploying; got rules="
                    + rules + ", port=" + port);
        }
        int number;
        try {
            number = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw new IllegalStateException("bandwidth.metrics.port: got \"" + port + "\"; allowed are 1 to 65535");
        }
        try {
            exporter = InProcessExporter.start("127.0.0.1", number, Path.of(rules));
        } catch (IOException e) {
            throw new UncheckedIOException("could not serve the metrics on 127.0.0.1:" + port + " from " + rules, e);
        }
        event.getServletContext().log("bandwidth metrics on http://127.0.0.1:" + exporter.port() + "/metrics");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (exporter != null) {
            exporter.close();
        }
    }
}
