package io.github.httpbandwidth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizeBucketsTest {

    private final SizeBuckets buckets = SizeBuckets.defaultLayout();

    @Test
    void defaultLayoutIsZeroAndPowersOfFourUpToOneGibibyte() {
        assertThat(buckets.upperBounds()).startsWith(0, 1, 4, 16, 64, 256, 1024).endsWith(1L << 28, 1L << 30);
        assertThat(buckets.count()).isEqualTo(18);
    }

    @Test
    void eachSizeFallsIntoTheFirstBucketWhoseBoundIsAtLeastIt() {
        assertThat(buckets.indexOf(0)).isEqualTo(0);
        assertThat(buckets.indexOf(1)).isEqualTo(1);
        assertThat(buckets.indexOf(2)).isEqualTo(2);
        assertThat(buckets.indexOf(4)).isEqualTo(2);
        assertThat(buckets.indexOf(5)).isEqualTo(3);
        assertThat(buckets.indexOf(1024)).isEqualTo(6);
        assertThat(buckets.indexOf(1025)).isEqualTo(7);
        assertThat(buckets.indexOf(1L << 30)).isEqualTo(16);
        assertThat(buckets.indexOf((1L << 30) + 1)).as("+Inf").isEqualTo(17);
        assertThat(buckets.indexOf(Long.MAX_VALUE)).isEqualTo(17);
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
