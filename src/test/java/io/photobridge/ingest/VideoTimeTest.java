package io.photobridge.ingest;

import static io.photobridge.ingest.CameraFilesTest.bytes;
import static io.photobridge.ingest.CameraFilesTest.concat;
import static io.photobridge.ingest.CameraFilesTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video's picture time comes from its container before its file time: made here from the real {@code clip.mp4} with
 * the fields phones and cameras fill in (the movie header's CreationTime, Apple's creationdate key, a GoPro's encoder name).
 */
class VideoTimeTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final MediaInspector INSPECTOR = new MediaInspector(new InspectionRules(50L << 20, 1L << 20, 100L << 20, BERLIN));
    /** Seconds from 1904-01-01 (QuickTime's epoch) to 1970-01-01. */
    private static final long EPOCH_1904 = 2_082_844_800L;
    private static final Instant FILE_TIME = Instant.parse("2025-08-01T12:00:00Z");

    @TempDir
    Path temp;

    @Test
    void ffmpegsZeroCreationTimeIsNoTimeSoTheFileTimeIsUsed() throws Exception {
        PictureTime time = inspect("clip.mp4", fixture("clip.mp4"));

        assertThat(time).isEqualTo(new PictureTime(LocalDateTime.of(2025, 8, 1, 14, 0), ZoneOffset.ofHours(2), PictureTime.Source.FILE_TIME));
    }

    @Test
    void movieHeaderCreationTimeIsUtc() throws Exception {
        byte[] video = withCreationTime(fixture("clip.mp4"), Instant.parse("2025-06-14T07:31:07Z"));

        PictureTime time = inspect("VID_20250614_093107.mp4", video);

        assertThat(time).isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.ofHours(2), PictureTime.Source.CONTAINER));
    }

    @Test
    void movieHeaderAfterTheMediaDataIsReadInTheSamePass() throws Exception {
        // cameras that record straight to the card write moov last, after the media data
        byte[] video = withCreationTime(fixture("clip.mp4"), Instant.parse("2025-06-14T07:31:07Z"));
        ByteBuffer boxes = ByteBuffer.wrap(video);
        int ftypSize = boxes.getInt(0);
        int moov = indexOf(video, bytes("moov"), 0) - 4;
        int moovSize = boxes.getInt(moov);
        byte[] moovLast = concat(Arrays.copyOf(video, ftypSize), Arrays.copyOfRange(video, ftypSize, moov),
                Arrays.copyOfRange(video, moov + moovSize, video.length), Arrays.copyOfRange(video, moov, moov + moovSize));
        assertThat(moovLast).hasSize(video.length);
        assertThat(indexOf(moovLast, bytes("moov"), 0)).isGreaterThan(indexOf(moovLast, bytes("mdat"), 0));

        PictureTime time = inspect("DSC_0042.MP4", moovLast);

        assertThat(time).isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.ofHours(2), PictureTime.Source.CONTAINER));
    }

    @Test
    void goProCreationTimeIsLocalTimeInTheIngestZone() throws Exception {
        // GoPro cameras write their clock's local time into the UTC field
        byte[] video = withCompressorName(withCreationTime(fixture("clip.mp4"), Instant.parse("2025-06-14T09:31:07Z")), "GoPro AVC encoder");

        PictureTime time = inspect("GX010042.MP4", video);

        assertThat(time).isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.ofHours(2), PictureTime.Source.CONTAINER));
    }

    @Test
    void appleCreationDateKeyWithItsOffsetComesFirst() throws Exception {
        byte[] video = withAppleCreationDate(withCreationTime(fixture("clip.mp4"), Instant.parse("2025-06-14T16:31:09Z")),
                "2025-06-14T09:31:07-0700");

        PictureTime time = inspect("IMG_0042.MOV", video);

        assertThat(time).isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.ofHours(-7), PictureTime.Source.CONTAINER));
    }

    @Test
    void appleCreationDateForms() {
        assertThat(MediaInspector.parseAppleCreationDate("2025-06-14T09:31:07+02:00"))
                .isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.ofHours(2), PictureTime.Source.CONTAINER));
        assertThat(MediaInspector.parseAppleCreationDate("2025-06-14T09:31:07.250Z"))
                .isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), ZoneOffset.UTC, PictureTime.Source.CONTAINER));
        assertThat(MediaInspector.parseAppleCreationDate("2025-06-14T09:31:07"))
                .isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), null, PictureTime.Source.CONTAINER));
        assertThat(MediaInspector.parseAppleCreationDate("June 14")).isNull();
        assertThat(MediaInspector.parseAppleCreationDate("2025-13-14T09:31:07Z")).isNull();
    }

    // ---- helpers ----

    private PictureTime inspect(String name, byte[] bytes) throws Exception {
        Path file = Files.write(temp.resolve(name), bytes);
        Files.setLastModifiedTime(file, FileTime.from(FILE_TIME));
        return INSPECTOR.inspect(new FileMediaSource(file)).pictureTime();
    }

    /** Sets the version-0 movie header's creation time. */
    private static byte[] withCreationTime(byte[] video, Instant created) {
        byte[] copy = video.clone();
        int mvhd = indexOf(copy, bytes("mvhd"), 0);
        assertThat(copy[mvhd + 4]).as("mvhd version").isZero();
        ByteBuffer.wrap(copy).putInt(mvhd + 8, (int) (created.getEpochSecond() + EPOCH_1904));
        return copy;
    }

    /** Sets the avc1 sample entry's compressor name (a 32-byte Pascal string). */
    private static byte[] withCompressorName(byte[] video, String name) {
        byte[] copy = video.clone();
        int stsd = indexOf(copy, bytes("stsd"), 0);
        int at = indexOf(copy, bytes("avc1"), stsd) + 46;
        copy[at] = (byte) name.length();
        System.arraycopy(bytes(name), 0, copy, at + 1, name.length());
        return copy;
    }

    /** A QuickTime movie (ftyp "qt  ") whose moov carries Apple's metadata keys with com.apple.quicktime.creationdate. */
    private static byte[] withAppleCreationDate(byte[] video, String creationDate) {
        byte[] copy = video.clone();
        int ftyp = indexOf(copy, bytes("ftyp"), 0);
        System.arraycopy(bytes("qt  "), 0, copy, ftyp + 4, 4);
        byte[] hdlr = box("hdlr", concat(new byte[8], bytes("mdta"), new byte[12], new byte[1]));
        String key = "com.apple.quicktime.creationdate";
        byte[] keys = box("keys", concat(new byte[4], ByteBuffer.allocate(4).putInt(1).array(),
                ByteBuffer.allocate(8).putInt(8 + key.length()).put(bytes("mdta")).array(), bytes(key)));
        byte[] data = box("data", concat(ByteBuffer.allocate(8).putInt(1).putInt(0).array(), bytes(creationDate)));
        byte[] item = concat(ByteBuffer.allocate(8).putInt(8 + data.length).putInt(1).array(), data);
        byte[] meta = box("meta", concat(hdlr, keys, box("ilst", item)));
        int moov = indexOf(copy, bytes("moov"), 0) - 4;
        int moovSize = ByteBuffer.wrap(copy).getInt(moov);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(copy, 0, moov);
        out.writeBytes(ByteBuffer.allocate(4).putInt(moovSize + meta.length).array());
        out.write(copy, moov + 4, moovSize - 4);
        out.writeBytes(meta);
        out.write(copy, moov + moovSize, copy.length - moov - moovSize);
        return out.toByteArray();
    }

    private static byte[] box(String type, byte[] body) {
        return concat(ByteBuffer.allocate(8).putInt(8 + body.length).put(bytes(type)).array(), body);
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int from) {
        int at = CameraFilesTest.indexOf(bytes, from, pattern);
        assertThat(at).as("offset of %s", new String(pattern)).isNotNegative();
        return at;
    }
}
