package io.github.httpbandwidth.springapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application with nothing of its own, outside the starter's package as users' are: only the starter's
 * auto-configuration, with its conditions, sets it up.
 */
@SpringBootApplication
public class PlainApplication {
}
