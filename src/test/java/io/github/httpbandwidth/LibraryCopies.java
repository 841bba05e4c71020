package io.github.httpbandwidth;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Copies of the library in class loaders of their own, as an application server gives each deployment that carries
 * it: child first over the test's class loader, which still provides Undertow, JMX and the JDK.
 */
final class LibraryCopies {

    static final String LIBRARY = "io.github.httpbandwidth.";

    private LibraryCopies() {
    }

    /** A new copy of the library (this build's classes) in a class loader named {@code name}, as WildFly names a deployment's. */
    static URLClassLoader load(String name) throws Exception {
        return new URLClassLoader(name, new URL[] {Path.of("target/classes").toAbsolutePath().toUri().toURL()},
                new LibraryHiding());
    }

    /** The test's class loader, minus the library: each copy loads its own. */
    private static final class LibraryHiding extends ClassLoader {
        LibraryHiding() {
            super("library-hiding", LibraryCopies.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (className.startsWith(LIBRARY)) {
                throw new ClassNotFoundException(className);
            }
            return super.loadClass(className, resolve);
        }
    }
}
