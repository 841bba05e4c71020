package io.github.httpbandwidth.springapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application outside the starter's package, as users' are: its component scan finds none of the starter's
 * classes (TestApplication's, in the starter's package, finds the configurations nested in its auto-configurations),
 * so only the starter's auto-configuration, with its conditions, sets it up.
 */
@SpringBootApplication
public class PlainApplication {
}
