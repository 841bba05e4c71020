package io.github.httpbandwidth;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;
import javax.management.openmbean.OpenMBeanParameterInfoSupport;
import javax.management.openmbean.SimpleType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The views of a {@link BandwidthStats} made for people at a console, beside its scraped MBean:
 * {@code io.github.httpbandwidth.console:name=<name>,view=Sizes} (percentiles and largest body
 * sizes, since start and over the last minute) and {@code ...,view=TransfersInFlight} (the largest exchanges in
 * flight, and the operation {@code largestTransfersInFlight(int)}).
 *
 * <p>Their own type keeps them out of the JMX exporter's scrape ({@code type=BandwidthStats,*}): the agent reads
 * every attribute of every MBean it includes, and these figures are for JConsole and VisualVM only (Prometheus
 * computes its quantiles from the buckets), so a scrape costs what it cost before they existed.
 */
final class ConsoleMBean extends ReadOnlyOpenMBean<BandwidthSnapshot> {

    static final String SIZES = "Sizes";
    static final String TRANSFERS = "TransfersInFlight";
    static final String LARGEST_TRANSFERS = "largestTransfersInFlight";
    private static final int MOST_TRANSFERS = InFlightTransfers.MAX_LISTED;
    /** How the percentiles are estimated, said in each one's description. */
    private static final String ESTIMATED = "the size at that rank among the sizes in ascending order (nearest "
            + "rank), read from a layout finer than the exported buckets: exact where the sizes around the rank were "
            + "one size, else within 1.6% (its bucket's middle, rounded to whole bytes); never above the largest body "
            + "of the same period. Prometheus's histogram_quantile over the exported buckets can differ by up to a "
            + "factor of 2";

    private static final List<OpenAttribute<BandwidthSnapshot>> SIZE_ATTRIBUTES = sizeAttributes();

    private static final List<OpenAttribute<BandwidthSnapshot>> TRANSFER_ATTRIBUTES = List.of(
            OpenAttribute.of("TransfersInFlight",
                    "The largest exchanges in flight whose request or response body passed "
                    + "InFlightThresholdBytes, largest first (at most 10; the operation "
                    + "largestTransfersInFlight gives more): endpoint, direction, body bytes so far, seconds "
                    + "open, current bytes/s, client",
                    Unit.TRANSFERS, OpenTypes.TRANSFERS, s -> OpenTypes.transfers(s.transfersInFlight())),
            OpenAttribute.of("InFlightThresholdBytes",
                    "Body size past which an exchange in flight is listed in "
                    + "TransfersInFlight", Unit.BYTES, SimpleType.LONG, BandwidthSnapshot::inFlightThresholdBytes));

    private final BandwidthStats stats;

    /**
     * For requests and responses, since start and over the last minute: {@code <Request|Response>SizeP50Bytes},
     * {@code P90}, {@code P99} and {@code MaxBytes}, with {@code 1m} at the end for the last minute.
     */
    private static List<OpenAttribute<BandwidthSnapshot>> sizeAttributes() {
        List<OpenAttribute<BandwidthSnapshot>> all = new ArrayList<>();
        for (boolean request : new boolean[] {true, false}) {
            for (boolean lastMinute : new boolean[] {false, true}) {
                Function<BandwidthSnapshot, HistogramSnapshot> sizes = request
                        ? (lastMinute ? BandwidthSnapshot::requestSizesLastMinute : BandwidthSnapshot::requestSizes)
                        : (lastMinute ? BandwidthSnapshot::responseSizesLastMinute : BandwidthSnapshot::responseSizes);
                String prefix = request ? "RequestSize" : "ResponseSize";
                String suffix = lastMinute ? "1m" : "";
                String body = request ? "request body" : "response body";
                String period = lastMinute ? "exchanges completed in the last minute (60 to 65 s)"
                        : "completed exchanges since start";
                for (int percentile : new int[] {50, 90, 99}) {
                    double q = percentile / 100.0;
                    all.add(OpenAttribute.of(prefix + "P" + percentile + "Bytes" + suffix, "Percentile " + percentile
                            + " of the " + body + " sizes of " + period + ", " + ESTIMATED, Unit.BYTES,
                            SimpleType.DOUBLE, s -> (double) Math.round(sizes.apply(s).quantileBytes(q))));
                }
                all.add(OpenAttribute.of(prefix + "MaxBytes" + suffix, "Largest " + body + " of " + period
                        + " (exact)", Unit.BYTES, SimpleType.LONG, s -> sizes.apply(s).maxBytes()));
            }
        }
        return List.copyOf(all);
    }

    private ConsoleMBean(BandwidthStats stats, String description, List<OpenAttribute<BandwidthSnapshot>> attributes,
                         OpenMBeanOperationInfoSupport... operations) {
        super(ConsoleMBean.class.getName(), description, attributes, operations);
        this.stats = stats;
    }

    static ConsoleMBean sizes(BandwidthStats stats) {
        return new ConsoleMBean(stats, "Body sizes of the Undertow handler '" + stats.name() + "': percentiles and "
                + "the largest, since start and over the last minute", SIZE_ATTRIBUTES);
    }

    static ConsoleMBean transfers(BandwidthStats stats) {
        OpenMBeanParameterInfoSupport n = new OpenMBeanParameterInfoSupport("n",
                "How many transfers to list, 1 to " + MOST_TRANSFERS, SimpleType.INTEGER);
        return new ConsoleMBean(stats, "The largest exchanges in flight through the Undertow handler '"
                + stats.name() + "'", TRANSFER_ATTRIBUTES, new OpenMBeanOperationInfoSupport(LARGEST_TRANSFERS,
                "The n largest exchanges in flight whose body passed InFlightThresholdBytes, largest first: "
                        + "endpoint, direction, body bytes so far, seconds open, current bytes/s, client",
                new OpenMBeanParameterInfoSupport[] {n}, OpenTypes.TRANSFERS, MBeanOperationInfo.INFO));
    }

    @Override
    BandwidthSnapshot snapshot() {
        return stats.snapshot();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature)
            throws MBeanException, ReflectionException {
        if (!LARGEST_TRANSFERS.equals(actionName) || getMBeanInfo().getOperations().length == 0) {
            return super.invoke(actionName, params, signature);
        }
        if (params == null || params.length != 1 || !(params[0] instanceof Integer n) || n < 1 || n > MOST_TRANSFERS) {
            throw new MBeanException(new IllegalArgumentException("n: got " + (params == null ? "nothing"
                    : Arrays.toString(params)) + "; allowed is one int from 1 to " + MOST_TRANSFERS));
        }
        return OpenTypes.transfers(stats.largestTransfersInFlight(n));
    }
}
