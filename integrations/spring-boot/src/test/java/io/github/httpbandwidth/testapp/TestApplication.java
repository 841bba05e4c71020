package io.github.httpbandwidth.testapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A service with two routes of known sizes ({@code /jobs/boom} fails, {@code /jobs/conflict} answers 409); the
 * starter is on the classpath and nothing else configures it. In a package of its own, as users' applications are:
 * its component scan then finds none of the starter's classes (from the starter's package it would also register the
 * configurations nested in the starter's auto-configurations, outside their outer class's conditions).
 */
@SpringBootApplication
@RestController
public class TestApplication {

    @GetMapping(value = "/jobs/{id}", produces = "text/plain")
    String job(@PathVariable String id) {
        if (id.equals("boom")) {
            throw new IllegalStateException("failing on purpose");
        }
        if (id.equals("conflict")) {
            throw new ResponseStatusException(HttpStatus.CONFLICT.value(), null, null);
        }
        return "j".repeat(1000);
    }

    @PostMapping(value = "/artifacts/{name}", produces = "text/plain")
    String upload(@PathVariable String name, @RequestBody byte[] body) {
        return "n=" + body.length;
    }
}
