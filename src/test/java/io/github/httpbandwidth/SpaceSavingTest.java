package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The Space-Saving table's stated bounds, checked against exact counts of random weighted streams. */
class SpaceSavingTest {

    @Test
    void everyBoundHoldsOnSkewedAndUniformStreams() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            int capacity = 1 + random.nextInt(60);
            int keys = 1 + random.nextInt(5000);
            boolean skewed = seed % 2 == 0;
            SpaceSaving table = new SpaceSaving(capacity);
            Map<String, long[]> exact = new HashMap<>();
            long total = 0;
            for (int i = 0; i < 50_000; i++) {
                int k = skewed ? (int) Math.min(keys - 1, Math.floor(Math.pow(random.nextDouble(), 4) * keys))
                        : random.nextInt(keys);
                String key = "k" + k;
                long in = random.nextInt(4) == 0 ? 0 : random.nextInt(3000);
                long out = random.nextInt(2000);
                table.add(key, in, out, 1);
                long[] e = exact.computeIfAbsent(key, x -> new long[3]);
                e[0] += in;
                e[1] += out;
                e[2]++;
                total += in + out;
            }
            assertBounds(table, exact, total, capacity);
        }
    }

    @Test
    void aNewClientInAFullTableTakesTheLeastPlaceAndInheritsItsWeightAsError() {
        SpaceSaving table = new SpaceSaving(2);
        table.add("a", 100, 0, 1);
        table.add("b", 10, 5, 1);
        table.add("c", 1, 0, 1);

        Map<String, SpaceSaving.Entry> byName = new HashMap<>();
        table.entries().forEach(e -> byName.put(e.name, e));
        assertThat(byName).containsOnlyKeys("a", "c");
        assertThat(byName.get("c").weight).isEqualTo(16);
        assertThat(byName.get("c").error).isEqualTo(15);
        assertThat(byName.get("c").bytesReceived).isEqualTo(1);
        assertThat(byName.get("c").requests).isEqualTo(1);
        assertThat(table.leastWeight()).isEqualTo(16);

        // No body bytes: admitted into a full table it would change no weight, so it is not.
        table.add("d", 0, 0, 1);
        assertThat(table.entries()).extracting(e -> e.name).containsExactlyInAnyOrder("a", "c");
    }

    static void assertBounds(SpaceSaving table, Map<String, long[]> exact, long total, int capacity) {
        double bound = (double) total / capacity;
        assertThat(table.entries()).hasSizeLessThanOrEqualTo(capacity);
        assertThat((double) table.leastWeight()).isLessThanOrEqualTo(bound);
        Map<String, SpaceSaving.Entry> kept = new HashMap<>();
        for (SpaceSaving.Entry e : table.entries()) {
            kept.put(e.name, e);
            long[] truth = exact.get(e.name);
            assertThat(e.bytesReceived).isLessThanOrEqualTo(truth[0]);
            assertThat(e.bytesSent).isLessThanOrEqualTo(truth[1]);
            assertThat(e.requests).isLessThanOrEqualTo(truth[2]);
            long missing = truth[0] + truth[1] - e.bytesReceived - e.bytesSent;
            assertThat(missing).as("bytes of %s not on its row", e.name).isBetween(0L, e.error);
            assertThat((double) e.error).isLessThanOrEqualTo(bound);
        }
        exact.forEach((key, truth) -> {
            if (truth[0] + truth[1] > bound) {
                assertThat(kept).as("%s moved %d of %d bytes, more than 1/%d", key, truth[0] + truth[1], total,
                        capacity).containsKey(key);
            }
        });
    }
}
