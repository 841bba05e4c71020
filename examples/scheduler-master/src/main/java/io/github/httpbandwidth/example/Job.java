package io.github.httpbandwidth.example;

import java.time.Instant;

/** A job the master schedules. */
record Job(long id, String name, String command, String status, Instant createdAt) {

    String toJson() {
        return "{\"id\":" + id + ",\"name\":" + Json.quote(name) + ",\"command\":" + Json.quote(command)
                + ",\"status\":" + Json.quote(status) + ",\"createdAt\":" + Json.quote(createdAt.toString()) + "}";
    }
}
