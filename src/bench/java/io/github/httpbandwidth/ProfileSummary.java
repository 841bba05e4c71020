package io.github.httpbandwidth;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a benchmark's time goes, from a JFR recording of it (examples/benchmarks/profile.sh): of the execution
 * samples whose stack holds a method named {@code within}, the share in which each method is on the stack
 * (inclusive, inlined frames counted as their own methods: record with {@code -XX:+DebugNonSafepoints}; the harness
 * below the first {@code within} left out) and the share in which it is the top frame (self). JFR samples threads
 * wherever they are, not only at safepoints; a sample lands on the instruction after a slow one, so a load's wait
 * shows on the line that uses it.
 * Run: {@code java -cp <benchmark class path> io.github.httpbandwidth.ProfileSummary <file.jfr> <within> [rows]}.
 */
public final class ProfileSummary {

    private ProfileSummary() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ProfileSummary <recording.jfr> <method name the samples must be within> [rows]");
            System.exit(2);
        }
        String within = args[1];
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        int samples = 0;
        try (RecordingFile recording = new RecordingFile(Path.of(args[0]))) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                RecordedStackTrace stack = event.getStackTrace();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || stack == null) {
                    continue;
                }
                List<RecordedFrame> frames = stack.getFrames();
                if (frames.isEmpty() || frames.stream().noneMatch(f -> f.getMethod().getName().equals(within))) {
                    continue;
                }
                samples++;
                self.merge(name(frames.get(0)) + ":" + frames.get(0).getLineNumber(), 1, Integer::sum);
                // From the top down to the benchmark's method: the harness below it is on every sample.
                Set<String> seen = new HashSet<>();
                for (RecordedFrame frame : frames) {
                    String method = name(frame);
                    if (seen.add(method)) {
                        inclusive.merge(method, 1, Integer::sum);
                    }
                    if (frame.getMethod().getName().equals(within)) {
                        break;
                    }
                }
            }
        }
        System.out.printf("%d samples within %s%n%ninclusive (on the stack)%n", samples, within);
        print(inclusive, samples, rows);
        System.out.printf("%nself (top frame, by line)%n");
        print(self, samples, rows);
    }

    private static String name(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int samples, int rows) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> System.out.printf("%6.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
    }
}
