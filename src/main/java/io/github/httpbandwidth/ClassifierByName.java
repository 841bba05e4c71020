package io.github.httpbandwidth;

/**
 * An {@link EndpointClassifier} named in configuration ({@code undertow-handlers.conf}, WildFly's
 * {@code custom-filter}): a public class with a public no-argument constructor, looked up by the class loader that
 * loaded this library, then by the thread's context class loader (the deployment's, while WildFly parses it).
 */
final class ClassifierByName {

    private ClassifierByName() {
    }

    /** @throws IllegalArgumentException saying what was wrong with the name and what is allowed */
    static EndpointClassifier create(String className) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("classifier: got " + (className == null ? "null" : "a blank name")
                    + "; give the full name of a public class that implements " + EndpointClassifier.class.getName()
                    + " and has a public no-argument constructor");
        }
        String allowed = "; give the full name of a public class that implements " + EndpointClassifier.class.getName()
                + " and has a public no-argument constructor, for example "
                + "io.github.httpbandwidth.servlet.ServletEndpoints";
        Class<?> type = find(className.strip());
        if (type == null) {
            throw new IllegalArgumentException("classifier: no class " + className + " is visible to "
                    + "the library or to the deployment" + allowed);
        }
        if (!EndpointClassifier.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("classifier: " + className + " does not implement "
                    + EndpointClassifier.class.getName() + allowed);
        }
        try {
            return (EndpointClassifier) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // LinkageError: a static initializer that throws (ExceptionInInitializerError, then NoClassDefFoundError),
            // or a class the classifier needs that the server does not have.
            throw new IllegalArgumentException("classifier: " + className + " could not be created (" + e + ")"
                    + (needsJakartaServlet(e) ? JAVAX_SERVER : allowed), e);
        }
    }

    /**
     * What to do where a classifier needs {@code jakarta.servlet} (one built for WildFly 27 or later) and the server
     * is on {@code javax} (WildFly 26, JBoss EAP 7.4: Undertow 2.2).
     */
    private static final String JAVAX_SERVER = "; it needs jakarta.servlet, which this server does not have (a javax "
            + "server, such as WildFly 26 or JBoss EAP 7.4): build it against javax.servlet, or name the servlet "
            + "integration's classifiers, which need neither: io.github.httpbandwidth.servlet.ServletEndpoints and "
            + "ServletMappings run on javax and jakarta servers alike";

    /** Whether {@code e}, or what caused it, says a {@code jakarta.servlet} class is missing. */
    private static boolean needsJakartaServlet(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if ((t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) && t.getMessage() != null
                    && t.getMessage().replace('/', '.').startsWith("jakarta.servlet.")) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> find(String className) {
        ClassLoader library = ClassifierByName.class.getClassLoader();
        for (ClassLoader loader : new ClassLoader[] {library, Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                return Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // the next loader may know it
            }
        }
        return null;
    }
}
