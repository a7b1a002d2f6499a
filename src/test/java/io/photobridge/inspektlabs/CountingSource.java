package io.photobridge.inspektlabs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.photobridge.ingest.MediaSource;

/** A media source for tests: a name and bytes, an optional unknown size, and counters of open streams shared by a group. */
final class CountingSource implements MediaSource {

    /** Counts streams opened, closed and open at once across the sources that share it. */
    static final class Counters {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger maxOpen = new AtomicInteger();
    }

    private final String name;
    private final byte[] bytes;
    private final boolean sizeKnown;
    private final Counters counters;

    CountingSource(String name, byte[] bytes, boolean sizeKnown, Counters counters) {
        this.name = name;
        this.bytes = bytes;
        this.sizeKnown = sizeKnown;
        this.counters = counters;
    }

    @Override
    public String displayName() {
        return name;
    }

    @Override
    public String uri() {
        return "test:" + name;
    }

    @Override
    public long size() {
        return sizeKnown ? bytes.length : -1;
    }

    @Override
    public InputStream open() {
        counters.opened.incrementAndGet();
        int now = counters.open.incrementAndGet();
        counters.maxOpen.accumulateAndGet(now, Math::max);
        return new FilterInputStream(new java.io.ByteArrayInputStream(bytes)) {
            private boolean done;

            @Override
            public void close() throws IOException {
                if (!done) {
                    done = true;
                    counters.open.decrementAndGet();
                    counters.closed.incrementAndGet();
                }
                super.close();
            }
        };
    }

    @Override
    public Optional<Instant> lastModified() {
        return Optional.empty();
    }
}
