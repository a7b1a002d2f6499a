package io.photobridge.jobs;

/** A scheduled job: one run does its work and writes what it did into the report. */
@FunctionalInterface
public interface Job {

    void run(JobReport report) throws Exception;
}
