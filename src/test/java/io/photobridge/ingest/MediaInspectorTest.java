package io.photobridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import org.apache.tika.Tika;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Media inspection against real files made with real tools (see src/test/resources/media/README.md for how each
 * fixture was made); bad inputs (empty, truncated, renamed, text, oversized) are made here from those fixtures.
 */
class MediaInspectorTest {

    private static final long MIB = 1024L * 1024L;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final InspectionRules RULES = new InspectionRules(50 * MIB, MIB, 100 * MIB, BERLIN);
    private static final String TRUNCATED_JPEG = "JPEG is truncated: no end-of-image marker (FF D9) at the end of the file (the image data is cut off)";
    private static final String ACCEPTED = "(accepted: jpg, jpeg, png, jfif, heic, mp4, webm, mov, mkv, avi)";

    // The first bytes of files that ffmpeg 5.1 wrote (testsrc, 1 s, 160x120): real container headers, padded in the tests.
    private static final byte[] MKV_HEADER = hex("1a45dfa3a34286810142f7810142f2810442f381084282886d6174726f736b6142878104428581021853806701000000");
    private static final byte[] WEBM_HEADER = hex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d428781024285810218538067010000000000176d");
    private static final byte[] MOV_HEADER = hex("00000014667479707174202000000200717420200000000877696465000010a06d646174000002ad0605ffffa9dc45e9");
    private static final byte[] AVI_HEADER = hex("52494646a4440000415649204c495354381200006864726c6176696838000000a0860100a86100000000000010090000");
    private static final byte[] MP4_HEADER = hex("000000206674797069736f6d0000020069736f6d69736f32617663316d703431");

    private final MediaInspector inspector = new MediaInspector(RULES);

    @TempDir
    Path temp;

    // ---- what a file is, and when it was taken ----

    @Test
    void jpegWithExifGivesDateTimeOriginal() throws Exception {
        Path file = fixture("key-exif.jpg");

        Inspection inspection = inspect(file);

        assertThat(inspection.mimeType()).isEqualTo("image/jpeg");
        assertThat(inspection.kind()).isEqualTo(MediaKind.IMAGE);
        assertThat(inspection.extension()).isEqualTo("jpg");
        assertThat(inspection.size()).isEqualTo(Files.size(file));
        assertThat(inspection.pictureTime()).isEqualTo(new PictureTime(LocalDateTime.of(2025, 6, 14, 9, 31, 7), null, PictureTime.Source.EXIF));
        assertThat(inspection.pictureTime().offsetDateTime()).isEmpty();
    }

    @Test
    void offsetTimeOriginalIsKept() throws Exception {
        Inspection inspection = inspect(fixture("offset-exif.jpg"));

        PictureTime time = inspection.pictureTime();
        assertThat(time.local()).isEqualTo(LocalDateTime.of(2025, 3, 2, 17, 45, 10));
        assertThat(time.offset()).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(time.source()).isEqualTo(PictureTime.Source.EXIF);
        assertThat(time.offsetDateTime()).contains(OffsetDateTime.parse("2025-03-02T17:45:10+02:00"));
    }

    @Test
    void heicIsAnImageWithExifTime() throws Exception {
        Inspection inspection = inspect(fixture("exif.heic"));

        assertThat(inspection.mimeType()).isEqualTo("image/heic");
        assertThat(inspection.kind()).isEqualTo(MediaKind.IMAGE);
        assertThat(inspection.extension()).isEqualTo("heic");
        assertThat(inspection.pictureTime()).isEqualTo(new PictureTime(LocalDateTime.of(2024, 11, 5, 8, 12, 44), null, PictureTime.Source.EXIF));
    }

    @Test
    void pngWithoutExifFallsBackToFileTime() throws Exception {
        Path file = copy("no-exif.png", "no-exif.png");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-15T10:00:00.750Z")));

        Inspection inspection = inspect(file);

        assertThat(inspection.mimeType()).isEqualTo("image/png");
        assertThat(inspection.extension()).isEqualTo("png");
        assertThat(inspection.pictureTime()).isEqualTo(new PictureTime(LocalDateTime.of(2024, 1, 15, 11, 0), ZoneOffset.ofHours(1), PictureTime.Source.FILE_TIME));
    }

    @Test
    void fileTimeUsesTheZonesOffsetAtThatInstant() throws Exception {
        Path file = copy("no-exif.png", "summer.png");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-07-15T10:00:00Z")));

        PictureTime time = inspect(file).pictureTime();

        assertThat(time.local()).isEqualTo(LocalDateTime.of(2024, 7, 15, 12, 0));
        assertThat(time.offset()).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(time.offsetDateTime()).contains(OffsetDateTime.parse("2024-07-15T12:00:00+02:00"));
    }

    @Test
    void mp4IsAVideo() throws Exception {
        Path file = copy("clip.mp4", "clip.mp4");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-02-01T08:00:00Z")));

        Inspection inspection = inspect(file);

        assertThat(inspection.mimeType()).isEqualTo("video/mp4");
        assertThat(inspection.kind()).isEqualTo(MediaKind.VIDEO);
        assertThat(inspection.extension()).isEqualTo("mp4");
        assertThat(inspection.size()).isEqualTo(Files.size(file));
        assertThat(inspection.pictureTime()).isEqualTo(new PictureTime(LocalDateTime.of(2025, 2, 1, 9, 0), ZoneOffset.ofHours(1), PictureTime.Source.FILE_TIME));
    }

    @Test
    void sha256MatchesTheBytes() throws Exception {
        for (String name : new String[] {"key-exif.jpg", "no-exif.png", "exif.heic", "clip.mp4"}) {
            Path file = fixture(name);
            assertThat(inspect(file).sha256()).as(name).isEqualTo(sha256(Files.readAllBytes(file)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"car.JPG", "car.jpeg", "car.JPEG", "car.jfif", "car"})
    void jpegNamesAreInterchangeableAndAMissingExtensionIsFine(String name) throws Exception {
        Inspection inspection = inspect(copy("key-exif.jpg", name));

        assertThat(inspection.mimeType()).isEqualTo("image/jpeg");
        assertThat(inspection.extension()).isEqualTo("jpg");
    }

    @Test
    void heicMayBeNamedHeif() throws Exception {
        assertThat(inspect(copy("exif.heic", "car.HEIF")).extension()).isEqualTo("heic");
    }

    @Test
    void theBytesDecideNotTheName() throws Exception {
        Inspection inspection = inspect(copy("key-exif.jpg", "front bumper. left side"));

        assertThat(inspection.mimeType()).isEqualTo("image/jpeg");
    }

    @ParameterizedTest
    @CsvSource({
        "clip.mkv,  MKV,  video/x-matroska, mkv",
        "clip.webm, WEBM, video/webm,       webm",
        "clip.mov,  MOV,  video/quicktime,  mov",
        "clip.avi,  AVI,  video/x-msvideo,  avi",
        "clip.mp4,  MP4,  video/mp4,        mp4",
    })
    void everyAcceptedVideoContainerIsRecognisedFromItsHeader(String name, String container, String mimeType, String extension) throws Exception {
        Inspection inspection = inspector.inspect(new GeneratedSource(name, MIB + 4096, header(container)));

        assertThat(inspection.kind()).isEqualTo(MediaKind.VIDEO);
        assertThat(inspection.mimeType()).isEqualTo(mimeType);
        assertThat(inspection.extension()).isEqualTo(extension);
    }

    @Test
    void ftypBrandsTellHeicFromVideoWhereTikaCoreCannot() {
        // tika-core alone says video/quicktime for the isom MP4, and image/heif for a mif1 file whose brands say heic.
        assertThat(MediaInspector.refineIsoBmff(MP4_HEADER, "video/quicktime")).isEqualTo("video/mp4");
        assertThat(MediaInspector.refineIsoBmff(ftyp("mif1", "mif1", "heic", "miaf"), "image/heif")).isEqualTo("image/heic");
        assertThat(MediaInspector.refineIsoBmff(ftyp("heim", "mif1", "heim"), "video/quicktime")).isEqualTo("image/heic");
        assertThat(MediaInspector.refineIsoBmff(ftyp("mif1", "mif1", "avif", "miaf"), "image/heif")).isEqualTo("image/avif");
        assertThat(MediaInspector.refineIsoBmff(ftyp("XAVC", "XAVC", "mp42", "iso2"), "video/quicktime")).isEqualTo("video/mp4");
        assertThat(MediaInspector.refineIsoBmff(ftyp("qt  ", "qt  "), "video/quicktime")).isEqualTo("video/quicktime");
        assertThat(MediaInspector.detect(ftyp("mif1", "mif1", "heic"))).isEqualTo("image/heic");
    }

    @ParameterizedTest
    @ValueSource(strings = {"key-exif.jpg", "offset-exif.jpg", "no-exif.png", "exif.heic", "clip.mp4"})
    void signaturesAgreeWithTika(String file) throws Exception {
        // JPEG and PNG are told by their signatures without tika-core: the answer must be tika-core's own
        byte[] header;
        try (InputStream in = Files.newInputStream(fixture(file))) {
            header = in.readNBytes(MediaInspector.HEADER_BYTES);
        }
        String tika = new Tika().detect(header);

        assertThat(MediaInspector.detect(header)).isEqualTo(
                MediaInspector.refineMatroska(header, MediaInspector.refineIsoBmff(header, tika)));
    }

    @Test
    void avifIsRejected() {
        GeneratedSource avif = new GeneratedSource("car.avif", 20_000, ftyp("avif", "avif", "mif1", "miaf"));

        assertRejected(avif, "car.avif", "content type image/avif is not an accepted image or video " + ACCEPTED);
    }

    @Test
    void metadataReadErrorFallsBackToFileTime() throws Exception {
        Path file = copy("key-exif.jpg", "flaky.jpg");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-15T10:00:00Z")));
        FileMediaSource files = new FileMediaSource(file);
        MediaSource secondOpenFails = new MediaSource() {
            private int opens;

            @Override
            public String displayName() {
                return files.displayName();
            }

            @Override
            public String uri() {
                return files.uri();
            }

            @Override
            public long size() throws IOException {
                return files.size();
            }

            @Override
            public InputStream open() throws IOException {
                if (++opens > 1) {
                    throw new IOException("connection reset");
                }
                return files.open();
            }

            @Override
            public Optional<Instant> lastModified() {
                return files.lastModified();
            }
        };

        Inspection inspection = inspector.inspect(secondOpenFails);

        assertThat(inspection.pictureTime()).isEqualTo(new PictureTime(LocalDateTime.of(2024, 1, 15, 11, 0), ZoneOffset.ofHours(1), PictureTime.Source.FILE_TIME));
        assertThat(inspection.sha256()).isEqualTo(sha256(Files.readAllBytes(file)));
    }

    @Test
    void fileMediaSourceDescribesTheFile() throws Exception {
        Path file = copy("key-exif.jpg", "IMG_0001.JPG");
        FileMediaSource source = new FileMediaSource(file);

        assertThat(source.displayName()).isEqualTo("IMG_0001.JPG");
        assertThat(source.uri()).startsWith("file:///").endsWith("/IMG_0001.JPG");
        assertThat(source.size()).isEqualTo(Files.size(file));
        assertThat(source.lastModified()).contains(Files.getLastModifiedTime(file).toInstant());
        try (InputStream in = source.open()) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(file));
        }
    }

    // ---- rejections ----

    @Test
    void zeroByteFileIsRejected() throws Exception {
        Path file = Files.createFile(temp.resolve("empty.jpg"));

        assertRejected(file, "file is empty (0 bytes)");
    }

    @Test
    void truncatedJpegIsRejected() throws Exception {
        byte[] jpeg = Files.readAllBytes(fixture("key-exif.jpg"));
        Path file = write("cut.jpg", Arrays.copyOf(jpeg, jpeg.length - 500));

        assertRejected(file, TRUNCATED_JPEG);
    }

    @Test
    void jpegWithTrailingZeroPaddingIsAccepted() throws Exception {
        byte[] jpeg = Files.readAllBytes(fixture("key-exif.jpg"));
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100_000); // the zeros span two read chunks
        Path file = write("padded.jpg", padded);

        Inspection inspection = inspect(file);

        assertThat(inspection.size()).isEqualTo(padded.length);
        assertThat(inspection.sha256()).isEqualTo(sha256(padded));
    }

    @Test
    void endOfImageMarkerSplitAcrossTwoReadsIsFound() throws Exception {
        // A comment segment after SOI makes the file HEADER_BYTES + 1 long: FF is the header's last byte, D9 comes in the next read.
        byte[] jpeg = Files.readAllBytes(fixture("key-exif.jpg"));
        int total = MediaInspector.HEADER_BYTES + 1;
        int segmentLength = total - jpeg.length - 2;
        byte[] stretched = new byte[total];
        stretched[0] = (byte) 0xFF;
        stretched[1] = (byte) 0xD8;
        stretched[2] = (byte) 0xFF;
        stretched[3] = (byte) 0xFE;
        stretched[4] = (byte) (segmentLength >> 8);
        stretched[5] = (byte) segmentLength;
        Arrays.fill(stretched, 6, 4 + segmentLength, (byte) 'x');
        System.arraycopy(jpeg, 2, stretched, 4 + segmentLength, jpeg.length - 2);
        assertThat(stretched[total - 2]).isEqualTo((byte) 0xFF);
        assertThat(stretched[total - 1]).isEqualTo((byte) 0xD9);

        Inspection inspection = inspect(write("stretched.jpg", stretched));

        assertThat(inspection.size()).isEqualTo(total);
        assertThat(inspection.pictureTime().source()).isEqualTo(PictureTime.Source.EXIF);
        assertRejected(write("stretched-cut.jpg", Arrays.copyOf(stretched, total - 1)),
                TRUNCATED_JPEG);
    }

    @Test
    void jpegWithAZipAppendedIsRejectedForTheArchive() throws Exception {
        byte[] jpeg = Files.readAllBytes(fixture("key-exif.jpg"));
        byte[] zip = hex("504b0506000000000000000000000000000000000000");
        byte[] polyglot = Arrays.copyOf(jpeg, jpeg.length + zip.length);
        System.arraycopy(zip, 0, polyglot, jpeg.length, zip.length);

        assertRejected(write("polyglot.jpg", polyglot), "JPEG has a zip archive after its end-of-image marker (at byte " + jpeg.length
                + "): a camera may append its own data there, never an archive or executable");
    }

    @Test
    void truncatedPngIsRejected() throws Exception {
        byte[] png = Files.readAllBytes(fixture("no-exif.png"));
        Path file = write("cut.png", Arrays.copyOf(png, png.length - 12));

        assertRejected(file, "PNG is truncated: no IEND chunk at the end of the file (cut off)");
    }

    @Test
    void pngNamedJpgIsRejected() throws Exception {
        assertRejected(copy("no-exif.png", "photo.jpg"), "content is image/png but the name says .jpg");
    }

    @Test
    void videoNamedJpgIsRejected() throws Exception {
        assertRejected(copy("clip.mp4", "clip.jpg"), "content is video/mp4 but the name says .jpg");
    }

    @Test
    void webmNamedMkvIsRejected() {
        assertRejected(new GeneratedSource("clip.mkv", MIB + 4096, WEBM_HEADER), "clip.mkv", "content is video/webm but the name says .mkv");
    }

    @ParameterizedTest
    @ValueSource(strings = {"notes.txt", "notes.jpg", "notes"})
    void textFileIsRejected(String name) throws Exception {
        Path file = write(name, "Front bumper damage, see photo 3\n".getBytes(StandardCharsets.UTF_8));

        assertRejected(file, "content type text/plain is not an accepted image or video " + ACCEPTED);
    }

    @Test
    void shortVideoIsRejected() throws Exception {
        Path file = fixture("short.mp4");

        assertRejected(file, "video is " + Files.size(file) + " bytes; Inspektlabs needs videos larger than 1 MB (1048576 bytes)");
    }

    @Test
    void shortVideoIsRecordedWhenDamageAnalysisIsOff() throws Exception {
        MediaInspector recordOnly = new MediaInspector(new InspectionRules(50 * MIB, MIB, 2 * MIB, BERLIN, InspectionRules.DEFAULT_MAX_IMAGE_PIXELS, false));
        Path file = fixture("short.mp4");

        Inspection inspection = recordOnly.inspect(new FileMediaSource(file));

        assertThat(inspection.kind()).isEqualTo(MediaKind.VIDEO);
        assertThat(inspection.size()).isEqualTo(Files.size(file));
        // the upper limit stays, as PhotoBridge's own (no Inspektlabs in the reason)
        assertRejected(recordOnly, new GeneratedSource("max.mp4", 2 * MIB, MP4_HEADER), "max.mp4",
                "video is 2097152 bytes; the limit is videos smaller than 2097152 bytes (photobridge.ingest.max-video-bytes)");
    }

    @Test
    void videoSizeLimitsAreExclusive() throws Exception {
        MediaInspector inspector = new MediaInspector(new InspectionRules(50 * MIB, MIB, 2 * MIB, BERLIN));

        assertRejected(inspector, new GeneratedSource("min.mp4", MIB, MP4_HEADER), "min.mp4",
                "video is 1048576 bytes; Inspektlabs needs videos larger than 1 MB (1048576 bytes)");
        assertThat(inspector.inspect(new GeneratedSource("over-min.mp4", MIB + 1, MP4_HEADER)).size()).isEqualTo(MIB + 1);
        assertThat(inspector.inspect(new GeneratedSource("under-max.mp4", 2 * MIB - 1, MP4_HEADER)).size()).isEqualTo(2 * MIB - 1);
        assertRejected(inspector, new GeneratedSource("max.mp4", 2 * MIB, MP4_HEADER), "max.mp4",
                "video is 2097152 bytes; Inspektlabs needs videos smaller than 2 MB (2097152 bytes)");
    }

    @Test
    void oversizedImageIsRejected() throws Exception {
        Path file = fixture("key-exif.jpg");
        long size = Files.size(file);

        assertThat(new MediaInspector(new InspectionRules(size, MIB, 100 * MIB, BERLIN)).inspect(new FileMediaSource(file)).size()).isEqualTo(size);
        assertRejected(new MediaInspector(new InspectionRules(size - 1, MIB, 100 * MIB, BERLIN)), new FileMediaSource(file), "key-exif.jpg",
                "image is " + size + " bytes; the limit is " + (size - 1) + " bytes (photobridge.ingest.max-image-bytes)");
    }

    @Test
    void defaultsAreFiftyMegabyteImagesAndVideosBetweenOneAndAHundredMegabytes() {
        InspectionRules defaults = InspectionRules.defaults();

        assertThat(defaults.maxImageBytes()).isEqualTo(52_428_800L);
        assertThat(defaults.minVideoBytes()).isEqualTo(1_048_576L);
        assertThat(defaults.maxVideoBytes()).isEqualTo(104_857_600L);
        assertThat(defaults.zone()).isEqualTo(ZoneId.systemDefault());
        assertThat(defaults.maxImagePixels()).isEqualTo(268_435_456L);
        assertThat(defaults.damageAnalysis()).isTrue();
    }

    // ---- streaming: 100 MB inputs, never held in memory ----

    @Test
    void oversizedImageIsRejectedFromItsDeclaredSizeAfterReadingOnlyTheHeader() {
        GeneratedSource huge = new GeneratedSource("huge.jpg", 120 * MIB, jpegHeader());

        assertRejected(huge, "huge.jpg", "image is 125829120 bytes; the limit is 52428800 bytes (photobridge.ingest.max-image-bytes)");
        assertThat(huge.opens).isEqualTo(1);
        assertThat(huge.bytesRead).isLessThanOrEqualTo(MediaInspector.HEADER_BYTES);
    }

    @Test
    void streamOfUnknownSizeStopsOnceItPassesTheLimit() {
        GeneratedSource endless = new GeneratedSource("endless.jpg", 120 * MIB, jpegHeader()).withUnknownSize();

        assertThatThrownBy(() -> inspector.inspect(endless))
                .isInstanceOfSatisfying(RuleViolation.class, violation -> assertThat(violation.rule())
                        .matches("image is at least \\d+ bytes; the limit is 52428800 bytes \\(photobridge\\.ingest\\.max-image-bytes\\)"));
        assertThat(endless.bytesRead).isGreaterThan(50 * MIB).isLessThanOrEqualTo(51 * MIB);
        assertThat(endless.largestRead).isLessThanOrEqualTo((int) MIB);
    }

    @Test
    void largeVideoIsHashedInOnePassWithBoundedReads() throws Exception {
        long size = 99 * MIB;
        GeneratedSource video = new GeneratedSource("big.mp4", size, MP4_HEADER);

        Inspection inspection = inspector.inspect(video);

        assertThat(inspection.sha256()).isEqualTo(sha256(new GeneratedSource("big.mp4", size, MP4_HEADER)));
        assertThat(inspection.size()).isEqualTo(size);
        assertThat(inspection.mimeType()).isEqualTo("video/mp4");
        assertThat(video.opens).isEqualTo(1);
        assertThat(video.bytesRead).isEqualTo(size);
        assertThat(video.largestRead).isLessThanOrEqualTo((int) MIB);
    }

    @Test
    void fileThatChangesWhileItIsReadFails() {
        GeneratedSource growing = new GeneratedSource("growing.mp4", 2 * MIB, MP4_HEADER).withDeclaredSize(MIB + 10);

        assertThatThrownBy(() -> inspector.inspect(growing))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(RuleViolation.class)
                .hasMessageContaining("growing.mp4 changed while it was read");
    }

    // ---- helpers ----

    private Inspection inspect(Path file) throws RuleViolation, IOException {
        return inspector.inspect(new FileMediaSource(file));
    }

    private void assertRejected(Path file, String rule) {
        assertRejected(inspector, new FileMediaSource(file), file.getFileName().toString(), rule);
    }

    private void assertRejected(MediaSource source, String input, String rule) {
        assertRejected(inspector, source, input, rule);
    }

    private static void assertRejected(MediaInspector inspector, MediaSource source, String input, String rule) {
        assertThatThrownBy(() -> inspector.inspect(source))
                .isInstanceOfSatisfying(RuleViolation.class, violation -> {
                    assertThat(violation.input()).isEqualTo(input);
                    assertThat(violation.rule()).isEqualTo(rule);
                    assertThat(violation.getMessage()).isEqualTo(input + ": " + rule);
                });
    }

    private static Path fixture(String name) {
        try {
            return Path.of(MediaInspectorTest.class.getResource("/media/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path copy(String fixture, String as) throws IOException {
        return Files.copy(fixture(fixture), temp.resolve(as));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(temp.resolve(name), bytes);
    }

    private static byte[] header(String container) {
        return switch (container) {
            case "MKV" -> MKV_HEADER;
            case "WEBM" -> WEBM_HEADER;
            case "MOV" -> MOV_HEADER;
            case "AVI" -> AVI_HEADER;
            case "MP4" -> MP4_HEADER;
            default -> throw new IllegalArgumentException(container);
        };
    }

    private static byte[] jpegHeader() {
        try (InputStream in = Files.newInputStream(fixture("key-exif.jpg"))) {
            return in.readNBytes(20);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ftyp box with the given major brand and compatible brands. */
    private static byte[] ftyp(String major, String... compatible) {
        byte[] box = new byte[16 + 4 * compatible.length];
        box[3] = (byte) box.length;
        System.arraycopy("ftyp".getBytes(StandardCharsets.US_ASCII), 0, box, 4, 4);
        System.arraycopy(major.getBytes(StandardCharsets.US_ASCII), 0, box, 8, 4);
        for (int i = 0; i < compatible.length; i++) {
            System.arraycopy(compatible[i].getBytes(StandardCharsets.US_ASCII), 0, box, 16 + 4 * i, 4);
        }
        return box;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String sha256(MediaSource source) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = source.open()) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * A source of {@code size} bytes made on the fly: a real container header, then pseudo-random bytes. It never holds
     * the bytes, and counts how often it is opened, how many bytes are read and the largest single read asked for.
     */
    static final class GeneratedSource implements MediaSource {

        private final String name;
        private final long size;
        private final byte[] header;
        private long declaredSize;
        int opens;
        long bytesRead;
        int largestRead;

        GeneratedSource(String name, long size, byte[] header) {
            this.name = name;
            this.size = size;
            this.header = header;
            this.declaredSize = size;
        }

        GeneratedSource withUnknownSize() {
            return withDeclaredSize(-1);
        }

        GeneratedSource withDeclaredSize(long declared) {
            this.declaredSize = declared;
            return this;
        }

        @Override
        public String displayName() {
            return name;
        }

        @Override
        public String uri() {
            return "generated:" + name;
        }

        @Override
        public long size() {
            return declaredSize;
        }

        @Override
        public Optional<Instant> lastModified() {
            return Optional.of(Instant.parse("2025-01-01T00:00:00Z"));
        }

        @Override
        public InputStream open() {
            opens++;
            return new InputStream() {
                private long position;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    largestRead = Math.max(largestRead, len);
                    if (position >= size) {
                        return -1;
                    }
                    int n = (int) Math.min(len, size - position);
                    for (int i = 0; i < n; i++) {
                        long at = position + i;
                        b[off + i] = at < header.length ? header[(int) at] : (byte) ((at * 0x9E3779B97F4A7C15L) >>> 56);
                    }
                    position += n;
                    bytesRead += n;
                    return n;
                }
            };
        }
    }
}
