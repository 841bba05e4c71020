package io.github.httpbandwidth.example;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** The master's jobs, in memory. Thread-safe. */
final class JobStore {

    private final Map<Long, Job> jobs = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Clock clock;

    JobStore(Clock clock) {
        this.clock = clock;
    }

    Job add(String name, String command) {
        Job job = new Job(ids.incrementAndGet(), name, command, "queued", clock.instant());
        jobs.put(job.id(), job);
        return job;
    }

    Job get(long id) {
        return jobs.get(id);
    }

    boolean remove(long id) {
        return jobs.remove(id) != null;
    }

    Collection<Job> all() {
        return jobs.values();
    }
}
