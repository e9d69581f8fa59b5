package dev.captioner.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every route the server answers, and who may call it: the one table the server registers and
 * the tests walk. A route is open without a key only if this table says so (health, readiness,
 * the page and its files); every other route needs the key when the server has one. Each GET
 * route also answers HEAD, under the same rule. There is no static-file handler: the page's
 * three files are routes of their own, read once from the jar.
 */
final class Routes {

    /** The page's files, served from {@code /web} on the class path. */
    static final Map<String, String> PAGE = Map.of("index.html", "text/html; charset=utf-8", "app.js",
            "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

    /**
     * One route.
     *
     * @param method GET, HEAD or POST
     * @param path the path, as registered
     * @param open whether it answers without the key
     * @param handler what answers it
     */
    record Route(HandlerType method, String path, boolean open, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    private Routes() {
    }

    /**
     * @param health {@code GET /api/health}
     * @param ready {@code GET /api/ready}
     * @param model {@code GET /api/model}
     * @param metrics {@code GET /metrics}
     * @param caption {@code POST /api/caption}
     * @return the table
     */
    static Routes of(Handler health, Handler ready, Handler model, Handler metrics, Handler caption) {
        Routes r = new Routes();
        r.get("/api/health", true, health);
        r.get("/api/ready", true, ready);
        r.get("/api/model", false, model);
        r.get("/metrics", false, metrics);
        r.get("/openapi.json", false, resource("/dev/captioner/serve/openapi.json", "application/json"));
        r.routes.add(new Route(HandlerType.POST, "/api/caption", false, caption));
        r.get("/", true, resource("/web/index.html", PAGE.get("index.html")));
        PAGE.forEach((file, type) -> r.get("/" + file, true, resource("/web/" + file, type)));
        return r;
    }

    private void get(String path, boolean open, Handler handler) {
        routes.add(new Route(HandlerType.GET, path, open, handler));
        routes.add(new Route(HandlerType.HEAD, path, open, handler));
    }

    /** @return a handler answering a class path file, read once */
    private static Handler resource(String name, String type) {
        byte[] bytes;
        try (InputStream in = Routes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ctx -> ctx.contentType(type).header("Cache-Control", "no-cache").result(bytes);
    }

    /** @return every route */
    List<Route> all() {
        return List.copyOf(routes);
    }

    /** Registers every route, open ones with the open role. */
    void register(RoutesConfig config) {
        for (Route r : routes) {
            RouteRole[] roles = r.open() ? new RouteRole[] {AccessGuard.Open.OPEN} : new RouteRole[0];
            config.addHttpHandler(r.method(), r.path(), r.handler(), roles);
        }
    }
}
