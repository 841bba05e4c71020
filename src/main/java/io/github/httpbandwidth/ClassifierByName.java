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
            // LinkageError: a static initializer that throws (ExceptionInInitializerError, then NoClassDefFoundError).
            throw new IllegalArgumentException("classifier: " + className + " could not be created (" + e + ")"
                    + allowed, e);
        }
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
