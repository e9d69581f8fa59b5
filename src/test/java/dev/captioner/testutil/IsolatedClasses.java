package dev.captioner.testutil;

import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The project's classes in a class loader of their own, for tests of what happens at class
 * initialisation (a native library that loads or does not): the test class path, filtered, and
 * reflective calls into it.
 */
public final class IsolatedClasses {

    private IsolatedClasses() {
    }

    /** @return the class path the tests run with (Surefire's own property when it hides it in a jar) */
    public static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    /**
     * @param keep which class path entries to keep
     * @return a loader of those entries over the platform's classes only
     */
    public static URLClassLoader loader(Predicate<String> keep) {
        URL[] urls = classPath().stream().filter(keep).map(e -> {
            try {
                return Path.of(e).toUri().toURL();
            } catch (MalformedURLException ex) {
                throw new IllegalStateException(ex);
            }
        }).toArray(URL[]::new);
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    /** Calls a method by reflection, private ones included. */
    public static Object call(Object target, Class<?> type, String name, Class<?>[] types, Object... args)
            throws Exception {
        Method m = type.getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m.invoke(target, args);
    }
}
