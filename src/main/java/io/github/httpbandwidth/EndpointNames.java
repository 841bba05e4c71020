package io.github.httpbandwidth;

/**
 * What an endpoint name becomes before it is a row, so that every row reaches Prometheus as its own valid
 * {@code endpoint} label value, and JConsole shows it as it is exported.
 *
 * <ul>
 *   <li>The empty name becomes {@value #EMPTY}: Prometheus treats an empty label value as no label at all.</li>
 *   <li>Unpaired UTF-16 surrogates become U+FFFD: the exporter's UTF-8 encoder would write each as {@code ?}, so
 *       two rows could give one series.</li>
 *   <li>Control characters (U+0000 to U+001F, U+007F to U+009F: NUL, CR, line feeds, tabs) become {@code ?}: the text
 *       format escapes only the line feed, so a raw CR or NUL would reach every scraper as it is.</li>
 *   <li>Names longer than {@value #MAX_LENGTH} characters are cut there (never inside a surrogate pair).</li>
 * </ul>
 * Every other character, quotes, backslashes, {@code =}, {@code ,}, {@code <} and {@code >} included, is kept: the
 * shipped rules take the whole name, and the exporter escapes what the text format needs. Names that become equal share
 * one row, so distinct rows always give distinct series.
 */
final class EndpointNames {

    static final String EMPTY = "(empty)";
    static final int MAX_LENGTH = 256;
    private static final char REPLACEMENT = '\uFFFD';

    private EndpointNames() {
    }

    /** The name as a row keeps it; the same string when nothing needs mending. */
    static String safe(String name) {
        return safe(name, MAX_LENGTH);
    }

    /** As {@link #safe(String)}, cut at {@code maxLength} characters. */
    static String safe(String name, int maxLength) {
        if (name.isEmpty()) {
            return EMPTY;
        }
        int end = Math.min(name.length(), maxLength);
        if (end < name.length() && Character.isHighSurrogate(name.charAt(end - 1))
                && Character.isLowSurrogate(name.charAt(end))) {
            end--;
        }
        StringBuilder mended = null;
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(name.charAt(i + 1));
            if (pair) {
                if (mended != null) {
                    mended.append(c).append(name.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean surrogate = Character.isSurrogate(c);
            boolean control = Character.isISOControl(c);
            if ((surrogate || control) && mended == null) {
                mended = new StringBuilder(end).append(name, 0, i);
            }
            if (mended != null) {
                mended.append(surrogate ? REPLACEMENT : control ? '?' : c);
            }
        }
        if (mended != null) {
            return mended.toString();
        }
        return end == name.length() ? name : name.substring(0, end);
    }

    /** {@code name}, or {@code _name} when it is one of a table's {@code fixed} rows' names. */
    static String notFixed(String name, String... fixed) {
        for (String row : fixed) {
            if (row.equals(name)) {
                return '_' + name;
            }
        }
        return name;
    }
}
