package io.github.httpbandwidth.otel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** curl, for its own byte counts: what it says it sent and read. */
final class Curl {

    private static final Pattern SIZES = Pattern.compile("(\\d+) (\\d+) (\\d+)");

    private Curl() {
    }

    /** curl's status, bytes uploaded and bytes downloaded for {@code url} with curl's further {@code args}. */
    static long[] run(String url, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w",
                "%{http_code} %{size_upload} %{size_download}"));
        command.addAll(List.of(args));
        command.add(url);
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher m = SIZES.matcher(out);
        assertThat(m.matches()).as("curl said " + out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }
}
