package io.github.httpbandwidth;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;
import javax.management.openmbean.OpenMBeanOperationInfoSupport;
import javax.management.openmbean.OpenMBeanParameterInfoSupport;
import javax.management.openmbean.SimpleType;
import java.util.Arrays;
import java.util.List;

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
    private static final String ESTIMATED = "estimated from the size histogram as Prometheus's histogram_quantile "
            + "does (linear interpolation inside the bucket holding the rank), capped at the largest body seen in the "
            + "same period";

    private static final List<OpenAttribute<BandwidthSnapshot>> SIZE_ATTRIBUTES = List.of(
            OpenAttribute.of("RequestSizeP50Bytes", "Median request body size of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE, s -> s.requestSizes().quantileBytes(0.5)),
            OpenAttribute.of("RequestSizeP90Bytes",
                    "90th percentile of request body sizes of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE, s -> s.requestSizes().quantileBytes(0.9)),
            OpenAttribute.of("RequestSizeP99Bytes",
                    "99th percentile of request body sizes of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.requestSizes().quantileBytes(0.99)),
            OpenAttribute.of("RequestSizeMaxBytes", "Largest request body of a completed exchange since start (exact)",
                    Unit.BYTES, SimpleType.LONG, s -> s.requestSizes().maxBytes()),
            OpenAttribute.of("ResponseSizeP50Bytes", "Median response body size of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE, s -> s.responseSizes().quantileBytes(0.5)),
            OpenAttribute.of("ResponseSizeP90Bytes",
                    "90th percentile of response body sizes of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.responseSizes().quantileBytes(0.9)),
            OpenAttribute.of("ResponseSizeP99Bytes",
                    "99th percentile of response body sizes of completed exchanges since start, "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.responseSizes().quantileBytes(0.99)),
            OpenAttribute.of("ResponseSizeMaxBytes",
                    "Largest response body of a completed exchange since start (exact)",
                    Unit.BYTES, SimpleType.LONG, s -> s.responseSizes().maxBytes()),
            OpenAttribute.of("RequestSizeP50Bytes1m",
                    "Median request body size of exchanges completed in the last minute (60 to 65 s), "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.requestSizesLastMinute().quantileBytes(0.5)),
            OpenAttribute.of("RequestSizeP90Bytes1m",
                    "90th percentile of request body sizes of exchanges completed in the last minute (60 to 65 "
                    + "s), " + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.requestSizesLastMinute().quantileBytes(0.9)),
            OpenAttribute.of("RequestSizeP99Bytes1m",
                    "99th percentile of request body sizes of exchanges completed in the last minute (60 to 65 "
                    + "s), " + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.requestSizesLastMinute().quantileBytes(0.99)),
            OpenAttribute.of("RequestSizeMaxBytes1m",
                    "Largest request body of an exchange completed in the last minute (60 to 65 s; "
                    + "exact)", Unit.BYTES, SimpleType.LONG, s -> s.requestSizesLastMinute().maxBytes()),
            OpenAttribute.of("ResponseSizeP50Bytes1m",
                    "Median response body size of exchanges completed in the last minute (60 to 65 s), "
                    + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.responseSizesLastMinute().quantileBytes(0.5)),
            OpenAttribute.of("ResponseSizeP90Bytes1m",
                    "90th percentile of response body sizes of exchanges completed in the last minute (60 to 65 "
                    + "s), " + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.responseSizesLastMinute().quantileBytes(0.9)),
            OpenAttribute.of("ResponseSizeP99Bytes1m",
                    "99th percentile of response body sizes of exchanges completed in the last minute (60 to 65 "
                    + "s), " + ESTIMATED, Unit.BYTES, SimpleType.DOUBLE,
                    s -> s.responseSizesLastMinute().quantileBytes(0.99)),
            OpenAttribute.of("ResponseSizeMaxBytes1m",
                    "Largest response body of an exchange completed in the last minute (60 to 65 s; "
                    + "exact)", Unit.BYTES, SimpleType.LONG, s -> s.responseSizesLastMinute().maxBytes()));

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
