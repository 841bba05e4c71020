package io.github.httpbandwidth.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** A small Spring Boot service on Undertow whose HTTP body bandwidth the monitor counts. */
@SpringBootApplication
@RestController
public class JobsApplication {

    public static void main(String[] args) {
        SpringApplication.run(JobsApplication.class, args);
    }

    /** 1000 bytes for any job. */
    @GetMapping(value = "/jobs/{id}", produces = "text/plain")
    String job(@PathVariable String id) {
        return "j".repeat(1000);
    }

    /** Stores nothing; answers the size it read ({@code n=<bytes>}). */
    @PostMapping(value = "/artifacts/{name}", produces = "text/plain")
    String upload(@PathVariable String name, @RequestBody byte[] body) {
        return "n=" + body.length;
    }
}
