package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizeBucketsTest {

    private final SizeBuckets buckets = SizeBuckets.defaultLayout();

    @Test
    void defaultLayoutIsZeroAndPowersOfTwoUpToOneGibibyte() {
        assertThat(buckets.upperBounds()).startsWith(0, 1, 2, 4, 8, 16, 32, 64).endsWith(1L << 29, 1L << 30);
        assertThat(buckets.count()).isEqualTo(33);
        long[] bounds = buckets.upperBounds();
        for (int i = 2; i < bounds.length; i++) {
            assertThat(bounds[i]).as("a bucket spans at most a factor of 2").isLessThanOrEqualTo(2 * bounds[i - 1]);
        }
    }

    @Test
    void eachSizeFallsIntoTheFirstBucketWhoseBoundIsAtLeastIt() {
        assertThat(buckets.indexOf(0)).isEqualTo(0);
        assertThat(buckets.indexOf(1)).isEqualTo(1);
        assertThat(buckets.indexOf(2)).isEqualTo(2);
        assertThat(buckets.indexOf(3)).isEqualTo(3);
        assertThat(buckets.indexOf(4)).isEqualTo(3);
        assertThat(buckets.indexOf(5)).isEqualTo(4);
        assertThat(buckets.indexOf(1024)).isEqualTo(11);
        assertThat(buckets.indexOf(1025)).isEqualTo(12);
        assertThat(buckets.indexOf(300_000)).as("300,000 B lies in (256 KiB, 512 KiB]").isEqualTo(20);
        assertThat(buckets.indexOf(1L << 30)).isEqualTo(31);
        assertThat(buckets.indexOf((1L << 30) + 1)).as("+Inf").isEqualTo(32);
        assertThat(buckets.indexOf(Long.MAX_VALUE)).isEqualTo(32);
        // The fast path agrees with the general rule for every size near a bound.
        for (long bound : buckets.upperBounds()) {
            for (long size = Math.max(0, bound - 1); size <= bound + 1; size++) {
                int i = java.util.Arrays.binarySearch(buckets.upperBounds(), size);
                assertThat(buckets.indexOf(size)).as("size " + size).isEqualTo(i >= 0 ? i : -i - 1);
            }
        }
    }

    @Test
    void badLayoutsAreRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> SizeBuckets.of())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed are 1 to 64 bounds");
        assertThatThrownBy(() -> SizeBuckets.of(new long[65]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 65 bounds");
        assertThatThrownBy(() -> SizeBuckets.of(10, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> SizeBuckets.of(-1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    }

    @Test
    void customLayoutIsUsedByBothHistograms() {
        BandwidthStats stats = BandwidthStats.builder().sizeBuckets(100, 10_000).build();

        assertThat(stats.snapshot().requestSizes().upperBounds()).containsExactly(100, 10_000);
        assertThat(stats.snapshot().responseSizes().cumulativeCounts()).containsExactly(0, 0, 0);
    }
}
