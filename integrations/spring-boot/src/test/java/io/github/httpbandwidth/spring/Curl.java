package io.github.httpbandwidth.spring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** curl, for what the JDK client does not do (HTTP/2 by prior knowledge, several streams on one connection). */
final class Curl {

    private Curl() {
    }

    /** curl's standard output, after it exited 0 within 60 s (its standard error in the failure). */
    static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "50"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectErrorStream(false).start();
        curl.getOutputStream().close();
        boolean ended = curl.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            curl.destroyForcibly();
        }
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended && curl.exitValue() == 0).as("curl %s exited 0; stderr: %s", command, err).isTrue();
        return out;
    }
}
