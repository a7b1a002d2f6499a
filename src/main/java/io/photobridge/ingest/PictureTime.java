package io.photobridge.ingest;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * When a picture was taken, and what said so. offset is null when unknown.
 *
 * @param local  the wall-clock time where the picture was taken
 * @param offset the UTC offset of {@code local}, or null when unknown (EXIF without OffsetTime)
 * @param source what the time was read from
 */
public record PictureTime(LocalDateTime local, ZoneOffset offset, Source source) {

    /** What a picture time was read from. */
    public enum Source {
        /** The picture's own EXIF metadata (DateTimeOriginal, else DateTimeDigitized, else DateTime). */
        EXIF,
        /** A video container's creation date (Apple's creationdate with its offset, else the movie header's CreationTime). */
        CONTAINER,
        /** The capture time the source reports (PAVE's capture time), in the zone of the inspection rules. */
        CAPTURE,
        /** The source's last-modified time, in the zone of the inspection rules. */
        FILE_TIME
    }

    public PictureTime {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(source, "source");
    }

    /** The instant, when the offset is known. */
    public Optional<OffsetDateTime> offsetDateTime() {
        return offset == null ? Optional.empty() : Optional.of(local.atOffset(offset));
    }
}
