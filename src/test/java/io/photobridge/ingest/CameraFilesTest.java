package io.photobridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What cameras really write after (and inside) a picture, and what is really broken: each fixture is made here from
 * the real files in src/test/resources/media, in the shape phones and cameras write it.
 */
class CameraFilesTest {

    private static final long MIB = 1024L * 1024L;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final MediaInspector INSPECTOR = new MediaInspector(new InspectionRules(50 * MIB, MIB, 100 * MIB, BERLIN));
    private static final String TRUNCATED_JPEG = "JPEG is truncated: no end-of-image marker (FF D9) at the end of the file (the image data is cut off)";
    private static final LocalDateTime KEY_EXIF_TIME = LocalDateTime.of(2025, 6, 14, 9, 31, 7);

    @TempDir
    Path temp;

    // ---- JPEG trailers cameras write: accepted ----

    @Test
    void samsungSefTrailerFromTheIssueIsAccepted() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] photo = concat(jpeg, bytes("\u0000\u0000\u0001\n\u000e\u0000\u0000\u0000Image_UTC_Data1486666298918SEFH"));

        Inspection inspection = inspect("20250614_093107.jpg", photo);

        assertThat(inspection.pictureTime().local()).isEqualTo(KEY_EXIF_TIME);
        assertThat(inspection.size()).isEqualTo(photo.length);
        assertThat(inspection.embeddedVideo()).isNull();
    }

    @Test
    void completeSamsungSefTrailerIsAccepted() throws Exception {
        byte[] photo = concat(fixture("key-exif.jpg"), sef(sefBlock(0x0a01, "Image_UTC_Data", bytes("1486666298918")),
                sefBlock(0x0a30, "Camera_Capture_Mode_Info", bytes("1"))));

        assertThat(inspect("20250614_093107.jpg", photo).pictureTime().local()).isEqualTo(KEY_EXIF_TIME);
    }

    @Test
    void otherVendorTrailersAndZeroPaddingAreAccepted() throws Exception {
        byte[] noise = new byte[40_000]; // tens of KB of a vendor's own data, FF bytes and all, as BlackBerry and Fujifilm write
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) (i * 0x9E3779B1 >>> 24);
        }
        noise[0] = (byte) 0xFF;
        noise[1] = (byte) 0xD9;

        assertThat(inspect("blackberry.jpg", concat(fixture("key-exif.jpg"), noise)).size()).isEqualTo(fixture("key-exif.jpg").length + noise.length);
        assertThat(inspect("padded.jpg", concat(fixture("key-exif.jpg"), new byte[4096], noise)).pictureTime().local()).isEqualTo(KEY_EXIF_TIME);
    }

    @Test
    void googleMotionPhotoKeepsItsVideoWithThePhoto() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] video = fixture("short.mp4");

        Inspection inspection = inspect("PXL_20250614_093107.MP.jpg", concat(jpeg, video));

        assertThat(inspection.kind()).isEqualTo(MediaKind.IMAGE);
        assertThat(inspection.embeddedVideo()).isEqualTo(new EmbeddedVideo(jpeg.length, video.length));
    }

    @Test
    void pixelMotionPhotoWithAGainMapKeepsTheVideoAfterBothImages() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] gainMap = progressiveJpeg(Color.GRAY);
        byte[] video = fixture("short.mp4");

        Inspection inspection = inspect("PXL_20250614_093107.MP.jpg", concat(jpeg, gainMap, video));

        assertThat(inspection.embeddedVideo()).isEqualTo(new EmbeddedVideo(jpeg.length + gainMap.length, video.length));
    }

    @Test
    void samsungMotionPhotoKeepsTheVideoInsideItsSefTrailer() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] video = fixture("short.mp4");
        byte[] block = sefBlock(0x0a30, "MotionPhoto_Data", video);

        Inspection inspection = inspect("20250614_093107.jpg", concat(jpeg, sef(block)));

        int videoAt = jpeg.length + 8 + "MotionPhoto_Data".length();
        assertThat(inspection.embeddedVideo()).isEqualTo(new EmbeddedVideo(videoAt, video.length));
    }

    @Test
    void mpfSecondaryImageIsAccepted() throws Exception {
        byte[] photo = concat(fixture("key-exif.jpg"), fixture("offset-exif.jpg"));

        Inspection inspection = inspect("DSC_0001.JPG", photo);

        assertThat(inspection.pictureTime().local()).isEqualTo(KEY_EXIF_TIME);
        assertThat(inspection.embeddedVideo()).isNull();
    }

    // ---- inside the JPEG: scans, stuffing, restarts, thumbnails ----

    @Test
    void progressiveJpegIsWalkedThroughAllItsScans() throws Exception {
        byte[] progressive = progressiveJpeg(Color.RED);
        int scans = count(progressive, (byte) 0xFF, (byte) 0xDA);
        assertThat(scans).as("start-of-scan markers").isGreaterThan(1);

        assertThat(inspect("progressive.jpg", progressive).size()).isEqualTo(progressive.length);
        int lastScan = lastIndexOf(progressive, (byte) 0xFF, (byte) 0xDA);
        assertRejected("progressive-cut.jpg", Arrays.copyOf(progressive, lastScan + 20), TRUNCATED_JPEG);
    }

    @Test
    void restartMarkersAndStuffedBytesInTheScanAreNotTheEnd() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        int scanData = scanDataStart(jpeg);
        assertThat(indexOf(jpeg, scanData, (byte) 0xFF, (byte) 0x00)).as("a stuffed FF 00 in the scan").isPositive();
        // RSTn markers every few bytes, as cameras that set a restart interval write them
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, scanData + 10);
        for (int n = 0; n < 8; n++) {
            out.write(0xFF);
            out.write(0xD0 + n);
            out.write(jpeg, scanData + 10 + n * 10, 10);
        }
        out.write(jpeg, scanData + 90, jpeg.length - scanData - 90);

        assertThat(inspect("restarts.jpg", out.toByteArray()).pictureTime().local()).isEqualTo(KEY_EXIF_TIME);
    }

    @Test
    void fileCutRightAfterItsEmbeddedThumbnailIsTruncated() throws Exception {
        // cameras keep a JPEG thumbnail in APP1: its FF D9 is not the end of the picture
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] thumbnail = progressiveJpeg(Color.BLUE);
        byte[] app1 = concat(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) ((thumbnail.length + 8) >> 8), (byte) (thumbnail.length + 8)},
                bytes("Thmb\u0000\u0000"), thumbnail);
        byte[] withThumbnail = concat(Arrays.copyOf(jpeg, 2), app1, Arrays.copyOfRange(jpeg, 2, jpeg.length));

        assertThat(inspect("with-thumbnail.jpg", withThumbnail).size()).isEqualTo(withThumbnail.length);
        byte[] cut = Arrays.copyOf(withThumbnail, 2 + app1.length);
        assertThat(cut[cut.length - 1]).isEqualTo((byte) 0xD9);
        assertRejected("cut-after-thumbnail.jpg", cut, TRUNCATED_JPEG);
    }

    // ---- JPEG: rejected ----

    @ParameterizedTest
    @CsvSource({
            "504b0304140000000800, a zip archive",
            "504b0506000000000000, a zip archive",
            "526172211a0700cf9073, a RAR archive",
            "377abcaf271c0004a2c5, a 7z archive",
            "255044462d312e370a25, a PDF document",
            "7f454c46020101000000, an ELF executable",
            "4d5a9000030000000400, a Windows (PE) executable"})
    void archiveOrExecutableAfterTheImageIsRejected(String signature, String what) throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] payload = concat(HexFormat.of().parseHex(signature), new byte[2000]);

        assertRejected("polyglot.jpg", concat(jpeg, payload), "JPEG has " + what + " after its end-of-image marker (at byte " + jpeg.length
                + "): a camera may append its own data there, never an archive or executable");
        assertRejected("padded-polyglot.jpg", concat(jpeg, new byte[64], payload), "JPEG has " + what
                + " after its end-of-image marker (at byte " + (jpeg.length + 64) + "): a camera may append its own data there, never an archive or executable");
    }

    @Test
    void zipBehindAVendorTrailerIsFoundByItsEndRecord() throws Exception {
        // zip readers look for the end record at the end of the file, so leading "vendor" bytes do not hide a zip
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] zip = zip("invoice.txt", new byte[70_000]);
        byte[] polyglot = concat(jpeg, bytes("FUJIFILM trailer "), zip);

        assertRejected("hidden-zip.jpg", polyglot, "JPEG has a zip archive after its end-of-image marker (its end record at byte "
                + (polyglot.length - 22) + "): a camera may append its own data there, never an archive or executable");
        byte[] withComment = zip("notes.txt", new byte[10]);
        int commentLength = 300;
        withComment[withComment.length - 2] = (byte) commentLength;
        withComment[withComment.length - 1] = (byte) (commentLength >> 8);
        byte[] commented = concat(jpeg, bytes("vendor "), withComment, new byte[commentLength]);
        assertRejected("commented-zip.jpg", commented, "JPEG has a zip archive after its end-of-image marker (its end record at byte "
                + (commented.length - 22 - commentLength) + "): a camera may append its own data there, never an archive or executable");
    }

    @Test
    void zipAfterAGainMapIsRejected() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] gainMap = progressiveJpeg(Color.GRAY);

        assertRejected("gainmap-zip.jpg", concat(jpeg, gainMap, HexFormat.of().parseHex("504b0304140000000800")),
                "JPEG has a zip archive after its end-of-image marker (at byte " + (jpeg.length + gainMap.length)
                        + "): a camera may append its own data there, never an archive or executable");
    }

    @Test
    void motionPhotoWithItsVideoCutOffIsTruncated() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] video = fixture("short.mp4");

        assertThatThrownBy(() -> inspect("PXL_cut.MP.jpg", concat(jpeg, Arrays.copyOf(video, video.length - 1000))))
                .isInstanceOfSatisfying(RuleViolation.class, v -> assertThat(v.rule())
                        .startsWith("JPEG is truncated: the video after the image (a motion photo, at byte " + jpeg.length + ") is cut off: its '")
                        .endsWith("the file ends 1000 bytes short of it"));
    }

    @Test
    void secondaryImageCutOffIsTruncated() throws Exception {
        byte[] jpeg = fixture("key-exif.jpg");
        byte[] second = fixture("offset-exif.jpg");

        assertRejected("mpf-cut.jpg", concat(jpeg, Arrays.copyOf(second, second.length / 2)), "JPEG is truncated: the image after the first one (at byte "
                + jpeg.length + ", e.g. a preview or gain map) has no end-of-image marker (cut off)");
    }

    @Test
    void jpegOverThePixelLimitIsRejected() throws Exception {
        MediaInspector small = new MediaInspector(new InspectionRules(50 * MIB, MIB, 100 * MIB, BERLIN, 320 * 240 - 1, true));

        assertThatThrownBy(() -> small.inspect(new FileMediaSource(write("key.jpg", fixture("key-exif.jpg")))))
                .isInstanceOfSatisfying(RuleViolation.class, v -> assertThat(v.rule())
                        .isEqualTo("JPEG declares 320 x 240 pixels, more than the limit of 76799 pixels (photobridge.ingest.max-image-pixels)"));
    }

    // ---- PNG ----

    @Test
    void brokenPngFromTheIssueIsRejected() throws Exception {
        // 73 bytes: a valid IHDR of 309 x 15,403,836 pixels, then a "chunk" whose type is not letters
        byte[] png = concat(pngSignature(), chunk("IHDR", ihdr(309, 15_403_836, 8, 2)), HexFormat.of().parseHex("0000001a01c3ff7f"), new byte[32]);
        assertThat(png).hasSize(73);

        assertRejected("broken.png", png, "PNG declares 309 x 15403836 pixels, more than the limit of 268435456 pixels (photobridge.ingest.max-image-pixels)");
        MediaInspector huge = new MediaInspector(new InspectionRules(50 * MIB, MIB, 100 * MIB, BERLIN, Long.MAX_VALUE, true));
        assertThatThrownBy(() -> huge.inspect(new FileMediaSource(write("broken.png", png))))
                .isInstanceOfSatisfying(RuleViolation.class, v -> assertThat(v.rule())
                        .isEqualTo("PNG is damaged: the chunk at byte 33 has the type 01 C3 FF 7F, which is not four letters"));
    }

    @Test
    void pngChunkFailingItsCrcIsRejected() throws Exception {
        byte[] png = fixture("no-exif.png");
        int idat = indexOf(png, 8, bytes("IDAT"));
        byte[] corrupt = png.clone();
        corrupt[idat + 10] ^= 0x01;

        assertRejected("corrupt.png", corrupt, "PNG is damaged: its IDAT chunk at byte " + (idat - 4) + " fails its CRC check");
    }

    @ParameterizedTest
    @CsvSource({"2, 4", "3, 16", "6, 1", "5, 8"})
    void pngWithABitDepthItsColourTypeDoesNotAllowIsRejected(int colourType, int bitDepth) throws Exception {
        byte[] png = concat(pngSignature(), chunk("IHDR", ihdr(16, 16, bitDepth, colourType)), chunk("IDAT", new byte[10]), chunk("IEND", new byte[0]));

        assertRejected("odd.png", png, "PNG is damaged: its IHDR declares bit depth " + bitDepth + " with colour type " + colourType
                + ", which PNG does not allow");
    }

    @Test
    void pngTrailersFollowTheSameRules() throws Exception {
        byte[] png = fixture("no-exif.png");

        assertThat(inspect("padded.png", concat(png, new byte[512])).size()).isEqualTo(png.length + 512);
        assertThat(inspect("vendor.png", concat(png, bytes("ACDSee metadata 1.0"))).size()).isEqualTo(png.length + 19);
        assertRejected("polyglot.png", concat(png, HexFormat.of().parseHex("504b0506000000000000000000000000000000000000")),
                "PNG has a zip archive after its IEND chunk (at byte " + png.length + "): a camera may append its own data there, never an archive or executable");
    }

    @Test
    void pngCutInsideItsImageDataIsTruncated() throws Exception {
        byte[] png = fixture("no-exif.png");

        assertRejected("cut.png", Arrays.copyOf(png, png.length / 2), "PNG is truncated: no IEND chunk at the end of the file (cut off)");
    }

    // ---- HEIC / HEIF ----

    @Test
    void heicCutOffIsTruncated() throws Exception {
        byte[] heic = fixture("exif.heic");

        assertThatThrownBy(() -> inspect("cut.heic", Arrays.copyOf(heic, heic.length - 100)))
                .isInstanceOfSatisfying(RuleViolation.class, v -> assertThat(v.rule())
                        .startsWith("HEIF is truncated: its 'mdat' box at byte ").endsWith("the file ends 100 bytes short of it (cut off)"));
    }

    @Test
    void heifWithoutAMetaBoxIsRejected() throws Exception {
        byte[] ftyp = Arrays.copyOf(fixture("exif.heic"), (int) ByteBuffer.wrap(fixture("exif.heic")).getInt(0));
        byte[] mdat = concat(HexFormat.of().parseHex("00000010"), bytes("mdat"), new byte[8]);

        assertRejected("no-meta.heic", concat(ftyp, mdat), "HEIF has no meta box (a HEIF image needs one to describe its image)");
    }

    @Test
    void heicTrailersFollowTheSameRules() throws Exception {
        byte[] heic = fixture("exif.heic");

        assertThat(inspect("padded.heic", concat(heic, new byte[100])).size()).isEqualTo(heic.length + 100);
        // Samsung phones write their SEF trailer after a HEIC's boxes too
        byte[] samsung = concat(heic, sef(sefBlock(0x0c61, "Camera_Capture_Mode_Info", bytes("1"))));
        assertThat(inspect("20250614_093107.heic", samsung).pictureTime().local()).isEqualTo(LocalDateTime.of(2024, 11, 5, 8, 12, 44));
        assertRejected("polyglot.heic", concat(heic, bytes("%PDF-1.7\n")),
                "HEIF has a PDF document after its last box (at byte " + heic.length + "): a camera may append its own data there, never an archive or executable");
    }

    // ---- helpers ----

    private Inspection inspect(String name, byte[] bytes) throws Exception {
        return INSPECTOR.inspect(new FileMediaSource(write(name, bytes)));
    }

    private void assertRejected(String name, byte[] bytes, String rule) throws IOException {
        Path file = write(name, bytes);
        assertThatThrownBy(() -> INSPECTOR.inspect(new FileMediaSource(file)))
                .isInstanceOfSatisfying(RuleViolation.class, v -> {
                    assertThat(v.input()).isEqualTo(name);
                    assertThat(v.rule()).isEqualTo(rule);
                });
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(temp.resolve(name), bytes);
    }

    static byte[] fixture(String name) throws IOException {
        try {
            return Files.readAllBytes(Path.of(CameraFilesTest.class.getResource("/media/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real zip archive of one stored entry, from the JDK's writer. */
    static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One SEF data block as Samsung phones write it: 0, type, name length (little-endian), name, data. */
    static byte[] sefBlock(int type, String name, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + name.length() + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0).putShort((short) type).putInt(name.length()).put(bytes(name)).put(data);
        return b.array();
    }

    /** A SEF trailer: the data blocks, then the SEFH directory (offsets back from it), its length and SEFT. */
    static byte[] sef(byte[]... blocks) {
        int total = Arrays.stream(blocks).mapToInt(b -> b.length).sum();
        ByteBuffer dir = ByteBuffer.allocate(12 + 12 * blocks.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        dir.put(bytes("SEFH")).putInt(106).putInt(blocks.length);
        int offset = total;
        for (byte[] block : blocks) {
            dir.putShort((short) 0).putShort((short) 0x0a01).putInt(offset).putInt(block.length);
            offset -= block.length;
        }
        ByteBuffer tail = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(dir.capacity()).put(bytes("SEFT"));
        return concat(concat(blocks), dir.array(), tail.array());
    }

    /** A 64 x 48 progressive JPEG (several scans) from the JDK's writer. */
    static byte[] progressiveJpeg(Color color) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 48; y++) {
                image.setRGB(x, y, (x * y) % 7 == 0 ? color.getRGB() : color.darker().getRGB() ^ (x << 8 | y));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] pngSignature() {
        return HexFormat.of().parseHex("89504e470d0a1a0a");
    }

    private static byte[] ihdr(int width, int height, int depth, int colourType) {
        return ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) depth).put((byte) colourType).put(new byte[3]).array();
    }

    private static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(bytes(type));
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(bytes(type)).put(data).putInt((int) crc.getValue()).array();
    }

    private static int scanDataStart(byte[] jpeg) {
        int at = 2;
        while (true) {
            int code = jpeg[at + 1] & 0xFF;
            int length = (jpeg[at + 2] & 0xFF) << 8 | (jpeg[at + 3] & 0xFF);
            at += 2 + length;
            if (code == 0xDA) {
                return at;
            }
        }
    }

    static int indexOf(byte[] bytes, int from, byte... pattern) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (bytes[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] bytes, byte... pattern) {
        int last = -1;
        for (int at = indexOf(bytes, 0, pattern); at >= 0; at = indexOf(bytes, at + 1, pattern)) {
            last = at;
        }
        return last;
    }

    private static int count(byte[] bytes, byte... pattern) {
        int n = 0;
        for (int at = indexOf(bytes, 0, pattern); at >= 0; at = indexOf(bytes, at + 1, pattern)) {
            n++;
        }
        return n;
    }
}
