package io.photobridge.ingest;

import java.time.ZoneId;
import java.util.Objects;

/**
 * Limits applied by the inspector: maxImageBytes, minVideoBytes (exclusive lower bound, Inspektlabs: "larger than 1 MB"), maxVideoBytes (exclusive upper bound, "less than 100 MB"), zone used to turn a file time into a local picture time, maxImagePixels.
 *
 * @param maxImageBytes the largest image accepted, in bytes (inclusive; {@code photobridge.ingest.max-image-bytes})
 * @param minVideoBytes videos must be larger than this many bytes (exclusive)
 * @param maxVideoBytes videos must be smaller than this many bytes (exclusive)
 * @param zone          the zone in which a file time becomes a local picture time
 * @param maxImagePixels the most pixels (width x height) an image may declare ({@code photobridge.ingest.max-image-pixels})
 * @param damageAnalysis whether files go to Inspektlabs ({@code photobridge.inspektlabs.enabled}): its own rules (the
 *                       video minimum) apply only then
 */
public record InspectionRules(long maxImageBytes, long minVideoBytes, long maxVideoBytes, ZoneId zone, long maxImagePixels,
                              boolean damageAnalysis) {

    private static final long MIB = 1024L * 1024L;
    /** 2^28 pixels (16384 x 16384): above the largest phone and camera sensors (200 MP), below decompression bombs. */
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 1L << 28;

    public InspectionRules {
        if (maxImageBytes <= 0) {
            throw new IllegalArgumentException("maxImageBytes must be positive, was " + maxImageBytes);
        }
        if (minVideoBytes < 0) {
            throw new IllegalArgumentException("minVideoBytes must not be negative, was " + minVideoBytes);
        }
        if (maxVideoBytes <= minVideoBytes + 1) {
            throw new IllegalArgumentException("maxVideoBytes (" + maxVideoBytes + ") leaves no room above minVideoBytes (" + minVideoBytes + ")");
        }
        Objects.requireNonNull(zone, "zone");
        if (maxImagePixels <= 0) {
            throw new IllegalArgumentException("maxImagePixels must be positive, was " + maxImagePixels);
        }
    }

    public InspectionRules(long maxImageBytes, long minVideoBytes, long maxVideoBytes, ZoneId zone) {
        this(maxImageBytes, minVideoBytes, maxVideoBytes, zone, DEFAULT_MAX_IMAGE_PIXELS, true);
    }

    /** 50 MB images of at most 2^28 pixels, videos over 1 MiB and under 100 MiB, the system zone, damage analysis on. */
    public static InspectionRules defaults() {
        return new InspectionRules(50 * MIB, MIB, 100 * MIB, ZoneId.systemDefault(), DEFAULT_MAX_IMAGE_PIXELS, true);
    }
}
