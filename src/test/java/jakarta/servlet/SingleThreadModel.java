package jakarta.servlet;

/**
 * Test-only stand-in for Servlet 5's {@code SingleThreadModel}, which Servlet 6 removed. The
 * server runs on Jetty 12 (Servlet 6); Spark 4's own shaded Jetty still names this interface when
 * it registers its metrics servlet, and in the tests both share one class path. On a cluster,
 * Spark's class path brings its own Servlet 5 API and never sees the server's.
 */
@Deprecated
public interface SingleThreadModel {
}
