package io.photobridge.records;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerGaugesTest {

    @TempDir
    Path dir;

    @Test
    void damageJobsByStateAndPaveSessionsByStateFollowTheLedger() throws Exception {
        try (Ledger ledger = Ledger.open("jdbc:h2:file:" + dir.resolve("gauges").toAbsolutePath(), "sa", "", 2)) {
            MeterRegistry registry = new SimpleMeterRegistry();
            new LedgerGauges(ledger.dataSource(), Duration.ZERO).bindTo(registry);
            assertThat(jobs(registry, "PENDING")).isZero();
            assertThat(registry.get("photobridge.damage.batches.pending").gauge().value()).isZero();

            DamageRecords damage = new DamageRecords(ledger);
            damage.open("batch-1", 57076501L, "IMAGE", "57076501", List.of());
            DamageJob failed = damage.open("batch-2", 57076501L, "IMAGE", "57076501", List.of());
            damage.failed(failed.id(), "given up for the test");
            PaveRecords pave = new PaveRecords(ledger);
            pave.link(57076501L, "SBX-POLLED", "IDLE", null);
            pave.link(57076501L, "SBX-FINISHED", "IDLE", null);
            pave.polled("SBX-FINISHED", "QC_PASSED", false, null);
            pave.link(57076501L, "SBX-GONE", "IDLE", null);
            pave.unknown("SBX-GONE", "not found");

            assertThat(jobs(registry, "PENDING")).isEqualTo(1.0);
            assertThat(jobs(registry, "FAILED")).isEqualTo(1.0);
            assertThat(jobs(registry, "REPORTED")).isZero();
            assertThat(sessions(registry, "polled")).isEqualTo(1.0);
            assertThat(sessions(registry, "finished")).isEqualTo(1.0);
            assertThat(sessions(registry, "unknown")).isEqualTo(1.0);
        }
    }

    @Test
    void countsAreReadAtMostOncePerMaxAge() throws Exception {
        try (Ledger ledger = Ledger.open("jdbc:h2:file:" + dir.resolve("cached").toAbsolutePath(), "sa", "", 2)) {
            MeterRegistry registry = new SimpleMeterRegistry();
            new LedgerGauges(ledger.dataSource(), Duration.ofHours(1)).bindTo(registry);
            assertThat(jobs(registry, "PENDING")).isZero();
            new DamageRecords(ledger).open("batch-1", 57076501L, "IMAGE", "57076501", List.of());
            assertThat(jobs(registry, "PENDING")).as("still the counts read an hour ago at most").isZero();
        }
    }

    private static double jobs(MeterRegistry registry, String state) {
        return registry.get("photobridge.damage.jobs").tag("state", state).gauge().value();
    }

    private static double sessions(MeterRegistry registry, String state) {
        return registry.get("photobridge.pave.sessions").tag("state", state).gauge().value();
    }
}
