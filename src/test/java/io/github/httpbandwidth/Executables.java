package io.github.httpbandwidth;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Finds programs on the PATH and stops the child processes the tests start. */
final class Executables {

    private Executables() {
    }

    /** The program's path, or a failure saying which Debian package brings it. */
    static String require(String program, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(program + " is not on the PATH; install it with: apt-get install -y "
                + debianPackage + " (.ci/run does this)");
    }

    /** Waits up to 20 s for a process that was asked to stop, then kills it. */
    static void awaitExit(Process process) {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
