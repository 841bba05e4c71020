package io.github.httpbandwidth.example;

/**
 * Does nothing, under the JMX exporter agent: the stack script starts it with the agent and the rules file to
 * find out, before the master starts, whether the agent accepts them (the agent would otherwise end the master's
 * JVM). Reaching {@code main} means it did.
 */
public final class ConfigCheck {

    private ConfigCheck() {
    }

    public static void main(String[] args) {
        System.out.println("the JMX exporter agent accepted its configuration");
    }
}
