package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Exchanges on virtual threads, in a child JVM on the Java 25 JDK this machine kind carries. */
class VirtualThreadsTest {

    private static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    @Test
    void virtualThreadsShareOneCounterRowAndCountExactly() throws Exception {
        assumeTrue(Files.isExecutable(JAVA_25), "no Java 25 JDK at " + JAVA_25);
        String classPath = "target/classes:target/test-classes:"
                + Files.readString(Path.of(System.getProperty("child.jvm.classpath.file"))).trim();

        Shell.Result run = Shell.run(Path.of("").toAbsolutePath(), Map.of(), JAVA_25 + " -Djava.util.logging.config.file="
                + "src/test/resources/logging.properties -cp " + classPath + " " + VirtualThreadsApp.class.getName(), 300);

        assertThat(run.exitCode()).as(run.output()).isZero();
        Matcher ok = Pattern.compile("OK requests=2020 cells=(\\d+)").matcher(run.output());
        assertThat(ok.find()).as(run.output()).isTrue();
        // Undertow's IO threads (2 here) and the shared cell of all virtual threads, not one per request.
        assertThat(Integer.parseInt(ok.group(1))).isLessThanOrEqualTo(8);
    }
}
