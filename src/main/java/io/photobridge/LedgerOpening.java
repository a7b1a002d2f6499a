package io.photobridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.photobridge.records.Ledger;

/**
 * Opens the ledger (its connection pool and Flyway's check of the migrations) on a thread of its own, so that start-up sets up
 * the sandboxes, the vendor clients and the rest meanwhile: it was a fifth of the main thread's start-up.
 */
final class LedgerOpening {

    private final CompletableFuture<Ledger> ledger = new CompletableFuture<>();
    private final AtomicBoolean taken = new AtomicBoolean();

    private LedgerOpening() {
    }

    /** Starts opening the ledger the settings name; the settings are read here, on the caller's thread. */
    static LedgerOpening start(Settings s) {
        String url = s.get("photobridge.records.url");
        String user = s.optional("photobridge.records.user");
        String password = s.optional("photobridge.records.password");
        int poolSize = s.integer("photobridge.records.pool-size");
        LedgerOpening opening = new LedgerOpening();
        // a start-up that fails for another reason exits at once: the exit waits until Flyway is done (H2 runs DDL outside
        // transactions, so a migration cut off halfway would leave a schema the next start cannot migrate)
        Thread exitWaits = new Thread(() -> opening.ledger.handle((opened, failed) -> null).join(), "photobridge-ledger-open-exit");
        Runtime.getRuntime().addShutdownHook(exitWaits);
        Thread thread = new Thread(() -> {
            try {
                opening.ledger.complete(Ledger.open(url, user, password, poolSize));
            } catch (Throwable e) {
                opening.ledger.completeExceptionally(e);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(exitWaits);
                } catch (IllegalStateException exiting) {
                    // the hook is running: it ends now
                }
            }
        }, "photobridge-ledger-open");
        thread.setDaemon(true);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        return opening;
    }

    /** Waits for the ledger; a failure to open it is thrown here as Ledger.open threw it, so start-up stops with the same message. */
    Ledger await() {
        taken.set(true);
        try {
            return ledger.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the ledger was being opened", e);
        }
    }

    /** Start-up failed before it took the ledger: close the ledger once it is open, so its pool and database file are freed. */
    void abandon() {
        if (!taken.getAndSet(true)) {
            ledger.thenAccept(opened -> {
                try {
                    opened.close();
                } catch (Exception ignored) {
                    // start-up has already failed with its own reason
                }
            });
        }
    }
}
