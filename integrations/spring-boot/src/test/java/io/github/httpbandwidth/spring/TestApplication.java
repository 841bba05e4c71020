package io.github.httpbandwidth.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** A service with two routes of known sizes; the starter is on the classpath and nothing else configures it. */
@SpringBootApplication
@RestController
public class TestApplication {

    @GetMapping(value = "/jobs/{id}", produces = "text/plain")
    String job(@PathVariable String id) {
        return "j".repeat(1000);
    }

    @PostMapping(value = "/artifacts/{name}", produces = "text/plain")
    String upload(@PathVariable String name, @RequestBody byte[] body) {
        return "n=" + body.length;
    }
}
