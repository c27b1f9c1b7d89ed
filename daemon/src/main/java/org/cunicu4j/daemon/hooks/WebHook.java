package org.cunicu4j.daemon.hooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cunicu4j.daemon.api.DaemonEvent;

/**
 * A {@code web} hook: sends the event's JSON ({@link EventJson}) with the configured method
 * (POST unless set) to the URL, with {@code Content-Type: application/json},
 * {@code User-Agent: cunicu4j/VERSION} and the configured headers. The whole exchange
 * (connecting, the response headers and the body, which is discarded) must end within the hook's
 * timeout, else it is cancelled. A non-2xx status, a timeout or an I/O error is logged as a warning — with the URL
 * shortened to scheme, host, port and path, since a query or user info may hold a token, and
 * never with the headers. Used by one worker thread; the {@link HttpClient} is the
 * {@link Hooks}' and shared.
 */
final class WebHook implements HookRunner {
    private static final System.Logger LOG = System.getLogger(WebHook.class.getName());
    static final String USER_AGENT = "cunicu4j/" + version();

    private final Hooks.Web settings;
    private final HttpClient client;
    private final String name;

    WebHook(Hooks.Web settings, HttpClient client) {
        this.settings = settings;
        this.client = client;
        this.name = settings.method() + " " + loggable(settings.url());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outcome run(DaemonEvent event, String json) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .method(settings.method(), HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT);
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            b.setHeader(h.getKey(), h.getValue());
        }
        CompletableFuture<HttpResponse<Void>> f = client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
        try {
            // the whole exchange, body included, within the timeout: a server that stalls after
            // its headers must not hold the worker (HttpRequest.timeout stops at the headers)
            HttpResponse<Void> r = f.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            if (r.statusCode() / 100 != 2) {
                LOG.log(System.Logger.Level.WARNING, "hook {0}: HTTP status {1} for {2}", name, r.statusCode(),
                        ExecHook.what(event));
                return Outcome.FAILED;
            }
            LOG.log(System.Logger.Level.DEBUG, "hook {0}: HTTP status {1} for {2}", name, r.statusCode(), ExecHook.what(event));
            return Outcome.OK;
        } catch (TimeoutException e) {
            f.cancel(true); // aborts the exchange (JDK 16+)
            return timedOut(event);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof HttpTimeoutException) {
                return timedOut(event);
            }
            LOG.log(System.Logger.Level.WARNING, "hook {0}: request failed for {1}: {2}", name, ExecHook.what(event),
                    String.valueOf(c));
            return Outcome.FAILED;
        }
    }

    private Outcome timedOut(DaemonEvent event) {
        LOG.log(System.Logger.Level.WARNING, "hook {0}: no complete response within {1} for {2}", name, settings.timeout(),
                ExecHook.what(event));
        return Outcome.TIMED_OUT;
    }

    /** {@code scheme://host:port/path}: no user info, query or fragment. */
    static String loggable(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static String version() {
        String v = WebHook.class.getPackage() == null ? null : WebHook.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
