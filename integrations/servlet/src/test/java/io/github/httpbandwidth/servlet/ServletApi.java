package io.github.httpbandwidth.servlet;

/** The servlet API the tests run on: {@code javax} with {@code -Pjavax} (Undertow 2.2), else {@code jakarta}. */
final class ServletApi {

    static final String NAME = System.getProperty("bandwidth.servletApi", "jakarta");

    private ServletApi() {
    }

    static boolean javax() {
        return NAME.equals("javax");
    }
}
