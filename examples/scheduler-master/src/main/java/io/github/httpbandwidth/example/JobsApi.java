package io.github.httpbandwidth.example;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** {@code /jobs}: list, create (JSON), read, delete, and a streamed log. */
final class JobsApi {

    /** Bigger job descriptions are refused with 413 before they are read. */
    static final long MAX_JOB_BODY = 64 * 1024;
    static final int LOG_LINES = 200;
    private static final Set<String> FIELDS = Set.of("name", "command");

    private final JobStore jobs;

    JobsApi(JobStore jobs) {
        this.jobs = jobs;
    }

    RoutingHandler addTo(RoutingHandler routes) {
        return routes
                .get("/jobs", this::list)
                .post("/jobs", this::create)
                .get("/jobs/{id}", this::read)
                .delete("/jobs/{id}", this::delete)
                .get("/jobs/{id}/log", blocking(this::log));
    }

    private void list(HttpServerExchange exchange) {
        StringJoiner json = new StringJoiner(",", "[", "]");
        jobs.all().forEach(job -> json.add(job.toJson()));
        Responses.json(exchange, StatusCodes.OK, json.toString());
    }

    private void create(HttpServerExchange exchange) {
        if (exchange.getRequestContentLength() > MAX_JOB_BODY) {
            Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE,
                    "a job description may have at most " + MAX_JOB_BODY + " bytes");
            return;
        }
        exchange.setMaxEntitySize(MAX_JOB_BODY);
        exchange.getRequestReceiver().receiveFullString((ex, body) -> {
            try {
                Map<?, ?> request = jobRequest(body);
                Job job = jobs.add(field(request, "name"), field(request, "command"));
                ex.getResponseHeaders().put(Headers.LOCATION, "/jobs/" + job.id());
                Responses.json(ex, StatusCodes.CREATED, job.toJson());
            } catch (Json.MalformedException e) {
                Responses.error(ex, StatusCodes.BAD_REQUEST, e.getMessage());
            }
        }, (ex, e) -> Responses.error(ex, StatusCodes.BAD_REQUEST, "could not read the request body: " + e.getMessage()),
                StandardCharsets.UTF_8);
    }

    /** A {"name": "...", "command": "..."} object, or a message saying what is wrong. */
    private static Map<?, ?> jobRequest(String body) throws Json.MalformedException {
        Object document = Json.parse(body);
        if (!(document instanceof Map<?, ?> object)) {
            throw new Json.MalformedException("the body must be a JSON object like {\"name\": \"nightly\", "
                    + "\"command\": \"backup.sh\"}");
        }
        for (Object key : object.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new Json.MalformedException("unknown field " + Json.quote((String) key)
                        + "; allowed are \"name\" and \"command\"");
            }
        }
        return object;
    }

    private static String field(Map<?, ?> request, String name) throws Json.MalformedException {
        Object value = request.get(name);
        if (!(value instanceof String text) || text.isBlank() || text.length() > 1000) {
            throw new Json.MalformedException("field \"" + name + "\" must be a non-empty string of at most 1000 characters");
        }
        return text;
    }

    private void read(HttpServerExchange exchange) {
        Job job = job(exchange);
        if (job != null) {
            Responses.json(exchange, StatusCodes.OK, job.toJson());
        }
    }

    private void delete(HttpServerExchange exchange) {
        Job job = job(exchange);
        if (job != null && jobs.remove(job.id())) {
            exchange.setStatusCode(StatusCodes.NO_CONTENT);
            exchange.endExchange();
        }
    }

    /** A chunked response written line by line, as a job's output would be followed. */
    private void log(HttpServerExchange exchange) throws IOException {
        Job job = job(exchange);
        if (job == null) {
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        OutputStream out = exchange.getOutputStream();
        for (int i = 1; i <= LOG_LINES; i++) {
            out.write(("job " + job.id() + " (" + job.name() + "): step " + i + " of " + LOG_LINES + " done\n")
                    .getBytes(StandardCharsets.UTF_8));
            if (i % 20 == 0) {
                out.flush();
            }
        }
    }

    private Job job(HttpServerExchange exchange) {
        String id = Responses.routeParameter(exchange, "id");
        try {
            Job job = jobs.get(Long.parseLong(id));
            if (job != null) {
                return job;
            }
        } catch (NumberFormatException e) {
            // Not a number (or no id): no such job either.
        }
        Responses.error(exchange, StatusCodes.NOT_FOUND, "no job " + id);
        return null;
    }

    interface BlockingBody {
        void handle(HttpServerExchange exchange) throws IOException;
    }

    /** Runs the body on a worker thread with blocking streams (Undertow's own BlockingHandler). */
    static HttpHandler blocking(BlockingBody body) {
        return new BlockingHandler(body::handle);
    }
}
