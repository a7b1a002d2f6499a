package io.photobridge.ingest;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.drew.imaging.FileType;
import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.mov.QuickTimeDirectory;
import com.drew.metadata.mov.media.QuickTimeVideoDirectory;
import com.drew.metadata.mov.metadata.QuickTimeMetadataDirectory;
import com.drew.metadata.mp4.Mp4Directory;
import com.drew.metadata.mp4.media.Mp4VideoDirectory;
import org.apache.tika.Tika;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides what a media file is from its bytes (Apache Tika), hashes it, checks its structure, reads its picture time (metadata-extractor), and enforces the content rules. */
public final class MediaInspector {

    private static final Logger LOG = LoggerFactory.getLogger(MediaInspector.class);

    /** How many leading bytes go to type detection: tika-core's magic never looks further (MimeTypes.getMinLength()). */
    static final int HEADER_BYTES = 64 * 1024;
    /** The read buffer for hashing; the inspector never holds more than this and the header. */
    static final int CHUNK_BYTES = 64 * 1024;

    static final String ACCEPTED = "jpg, jpeg, png, jfif, heic, mp4, webm, mov, mkv, avi";

    private static final byte[] JPEG_SIGNATURE = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final Pattern APPLE_TIME = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(?:\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})?");
    /** Earlier video creation times are unset ones (0 = 1904-01-01, ffmpeg's default) or a camera clock never set. */
    private static final Instant EARLIEST_VIDEO_TIME = Instant.parse("1971-01-01T00:00:00Z");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]{1,10}");
    private static final DateTimeFormatter EXIF_TIME = DateTimeFormatter.ofPattern("uuuu:MM:dd HH:mm:ss", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    /** ftyp brands of MP4 (ISO base media) video. */
    private static final Set<String> MP4_BRANDS = Set.of("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9",
            "mp41", "mp42", "mp71", "avc1", "dash", "M4V ", "M4VH", "M4VP", "MSNV", "XAVC", "mmp4", "f4v ");

    private final InspectionRules rules;

    public MediaInspector(InspectionRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    public Inspection inspect(MediaSource source) throws RuleViolation, IOException {
        String name = source.displayName();
        long declared = source.size();
        if (declared == 0) {
            throw new RuleViolation(name, "file is empty (0 bytes)");
        }
        MessageDigest sha256 = sha256();
        Structure structure;
        MovieBoxes movie;
        Format format;
        String mimeType;
        long count;
        try (InputStream in = source.open()) {
            byte[] header = in.readNBytes(HEADER_BYTES);
            if (header.length == 0) {
                throw new RuleViolation(name, "file is empty (0 bytes)");
            }
            mimeType = detect(header);
            format = Format.of(mimeType);
            if (format == null) {
                throw new RuleViolation(name, "content type " + mimeType + " is not an accepted image or video (accepted: " + ACCEPTED + ")");
            }
            checkName(name, format);
            if (declared > 0) {
                checkSize(name, format, declared);
            }
            // the structure is checked in the same pass as the hash: the file is read once, a chunk at a time
            structure = Structure.of(format.mimeType, rules.maxImagePixels());
            movie = format.fileType == FileType.Mp4 || format.fileType == FileType.QuickTime ? new MovieBoxes() : null;
            sha256.update(header);
            if (structure != null) {
                structure.update(header, 0, header.length);
            }
            if (movie != null) {
                movie.update(header, 0, header.length);
            }
            count = header.length;
            // Stop as soon as the size is known to break a limit: never read further than the rules need.
            long largestAllowed = format.kind == MediaKind.IMAGE ? rules.maxImageBytes() : rules.maxVideoBytes() - 1;
            byte[] buffer = new byte[CHUNK_BYTES];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) != -1) {
                count += n;
                if (count > largestAllowed) {
                    throw new RuleViolation(name, tooLarge(format, count, true));
                }
                sha256.update(buffer, 0, n);
                if (structure != null) {
                    structure.update(buffer, 0, n);
                }
                if (movie != null) {
                    movie.update(buffer, 0, n);
                }
            }
        }
        if (declared > 0 && count != declared) {
            throw new IOException(name + " changed while it was read: its size was " + declared + " bytes but " + count + " bytes were read");
        }
        checkSize(name, format, count);
        String broken = structure == null ? null : structure.finish();
        if (broken != null) {
            throw new RuleViolation(name, broken);
        }
        PictureTime time = pictureTime(source, format, count, movie);
        return new Inspection(HexFormat.of().formatHex(sha256.digest()), count, format.mimeType, format.kind, format.extension, time,
                structure == null ? null : structure.embeddedVideo());
    }

    /**
     * The MIME type of the content: JPEG and PNG, nearly every photo, by their signatures (the only tika-core magic that matches
     * them, without tika-core's scan of every known type); anything else by tika-core's magic on the header, refined where
     * tika-core alone cannot tell.
     */
    static String detect(byte[] header) {
        if (startsWith(header, JPEG_SIGNATURE)) {
            return "image/jpeg";
        }
        if (startsWith(header, PNG_SIGNATURE)) {
            return "image/png";
        }
        String mimeType = TikaHolder.TIKA.detect(header);
        mimeType = refineIsoBmff(header, mimeType);
        return refineMatroska(header, mimeType);
    }

    /** Tika's MIME table is read when a file is neither JPEG nor PNG, not at start-up (it took a tenth of the main thread's start). */
    private static final class TikaHolder {
        static final Tika TIKA = new Tika();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void checkName(String name, Format format) throws RuleViolation {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return;
        }
        String extension = name.substring(dot + 1);
        if (!EXTENSION.matcher(extension).matches()) {
            return; // "Front bumper. Left side" has no extension
        }
        if (!format.names.contains(extension.toLowerCase(Locale.ROOT))) {
            throw new RuleViolation(name, "content is " + format.mimeType + " but the name says ." + extension);
        }
    }

    private void checkSize(String name, Format format, long size) throws RuleViolation {
        if (format.kind == MediaKind.IMAGE ? size > rules.maxImageBytes() : size >= rules.maxVideoBytes()) {
            throw new RuleViolation(name, tooLarge(format, size, false));
        }
        // Inspektlabs' own minimum: a small video is fine when it is only recorded (damage analysis off)
        if (format.kind == MediaKind.VIDEO && rules.damageAnalysis() && size <= rules.minVideoBytes()) {
            throw new RuleViolation(name, "video is " + size + " bytes; Inspektlabs needs videos larger than "
                    + human(rules.minVideoBytes()) + " (" + rules.minVideoBytes() + " bytes)");
        }
    }

    private String tooLarge(Format format, long size, boolean atLeast) {
        String is = atLeast ? " is at least " : " is ";
        if (format.kind == MediaKind.IMAGE) {
            return "image" + is + size + " bytes; the limit is " + rules.maxImageBytes() + " bytes (photobridge.ingest.max-image-bytes)";
        }
        if (!rules.damageAnalysis()) {
            return "video" + is + size + " bytes; the limit is videos smaller than " + rules.maxVideoBytes()
                    + " bytes (photobridge.ingest.max-video-bytes)";
        }
        return "video" + is + size + " bytes; Inspektlabs needs videos smaller than " + human(rules.maxVideoBytes())
                + " (" + rules.maxVideoBytes() + " bytes)";
    }

    private static String human(long bytes) {
        long mib = 1024L * 1024L;
        if (bytes % mib == 0) {
            return bytes / mib + " MB";
        }
        if (bytes % 1024 == 0) {
            return bytes / 1024 + " KB";
        }
        return bytes + " bytes";
    }

    // ---- picture time ----

    /** The source's own capture time (PAVE), else the file's metadata (EXIF, the video container), else the file time. */
    private PictureTime pictureTime(MediaSource source, Format format, long size, MovieBoxes movie) {
        Optional<Instant> captured = source.captureTime();
        if (captured.isPresent()) {
            return inZone(captured.get(), PictureTime.Source.CAPTURE);
        }
        PictureTime time = null;
        if (format.kind == MediaKind.IMAGE) {
            time = exifTime(source, format, size);
        } else if (movie != null) {
            time = containerTime(source, format, movie.movie());
        }
        return time != null ? time : fileTime(source);
    }

    private static Metadata metadata(MediaSource source, Format format, long size) {
        try (InputStream in = new BufferedInputStream(source.open(), CHUNK_BYTES)) {
            return ImageMetadataReader.readMetadata(in, size, format.fileType);
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            LOG.warn("Could not read the picture metadata of {} ({}): {}; using its file time instead", source.displayName(), source.uri(), e.toString());
            return null;
        }
    }

    private PictureTime exifTime(MediaSource source, Format format, long size) {
        Metadata metadata = metadata(source, format, size);
        if (metadata == null) {
            return null;
        }
        // DateTimeOriginal is when the shutter fired; DateTimeDigitized is the same on a digital camera, while
        // DateTime (0x0132) changes when an editor saves the file, so it comes last.
        PictureTime time = exifTime(metadata, ExifSubIFDDirectory.class, ExifDirectoryBase.TAG_DATETIME_ORIGINAL, ExifDirectoryBase.TAG_TIME_ZONE_ORIGINAL);
        if (time == null) {
            time = exifTime(metadata, ExifSubIFDDirectory.class, ExifDirectoryBase.TAG_DATETIME_DIGITIZED, ExifDirectoryBase.TAG_TIME_ZONE_DIGITIZED);
        }
        if (time == null) {
            time = exifTime(metadata, ExifIFD0Directory.class, ExifDirectoryBase.TAG_DATETIME, ExifDirectoryBase.TAG_TIME_ZONE);
        }
        return time;
    }

    private static PictureTime exifTime(Metadata metadata, Class<? extends Directory> type, int timeTag, int offsetTag) {
        for (Directory directory : metadata.getDirectoriesOfType(type)) {
            LocalDateTime local = parseExifTime(directory.getString(timeTag));
            if (local != null) {
                // The OffsetTime* tags live in the Exif SubIFD, also for IFD0's DateTime.
                String offset = directory.getString(offsetTag);
                if (offset == null) {
                    ExifSubIFDDirectory sub = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
                    offset = sub == null ? null : sub.getString(offsetTag);
                }
                return new PictureTime(local, parseOffset(offset), PictureTime.Source.EXIF);
            }
        }
        return null;
    }

    /**
     * A video's capture time from its container: Apple's {@code com.apple.quicktime.creationdate} (local time with its
     * offset) first, then the movie header's CreationTime (UTC by the spec; GoPro cameras write their local time there, so
     * for a GoPro it is read as local time in the ingest zone). A zero CreationTime (1904, ffmpeg's default) is no time.
     */
    private PictureTime containerTime(MediaSource source, Format format, byte[] movie) {
        if (movie == null) {
            LOG.debug("{} has no movie header of at most {} bytes: its file time is its picture time", source.displayName(), MovieBoxes.MAX_KEPT);
            return null;
        }
        Metadata metadata;
        try {
            // the ftyp and moov boxes kept while the video was hashed: the video is not read again
            metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(movie), movie.length, format.fileType);
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            LOG.warn("Could not read the video metadata of {} ({}): {}; using its file time instead", source.displayName(), source.uri(), e.toString());
            return null;
        }
        for (QuickTimeMetadataDirectory keys : metadata.getDirectoriesOfType(QuickTimeMetadataDirectory.class)) {
            PictureTime apple = parseAppleCreationDate(keys.getString(QuickTimeMetadataDirectory.TAG_CREATION_DATE));
            if (apple != null) {
                return apple;
            }
        }
        Date created = null;
        Mp4Directory mp4 = metadata.getFirstDirectoryOfType(Mp4Directory.class);
        if (mp4 != null) {
            created = mp4.getDate(Mp4Directory.TAG_CREATION_TIME);
        }
        QuickTimeDirectory quickTime = metadata.getFirstDirectoryOfType(QuickTimeDirectory.class);
        if (created == null && quickTime != null) {
            created = quickTime.getDate(QuickTimeDirectory.TAG_CREATION_TIME);
        }
        if (created == null || created.toInstant().isBefore(EARLIEST_VIDEO_TIME)) {
            return null;
        }
        if (isGoPro(metadata)) {
            LocalDateTime local = LocalDateTime.ofInstant(created.toInstant(), ZoneOffset.UTC);
            return new PictureTime(local, rules.zone().getRules().getOffset(local), PictureTime.Source.CONTAINER);
        }
        return inZone(created.toInstant(), PictureTime.Source.CONTAINER);
    }

    private static boolean isGoPro(Metadata metadata) {
        List<String> names = new ArrayList<>();
        metadata.getDirectoriesOfType(Mp4VideoDirectory.class).forEach(d -> names.add(d.getString(Mp4VideoDirectory.TAG_COMPRESSOR_NAME)));
        metadata.getDirectoriesOfType(QuickTimeVideoDirectory.class).forEach(d -> names.add(d.getString(QuickTimeVideoDirectory.TAG_COMPRESSOR_NAME)));
        metadata.getDirectoriesOfType(QuickTimeMetadataDirectory.class).forEach(d -> names.add(d.getString(QuickTimeMetadataDirectory.TAG_MAKE)));
        return names.stream().anyMatch(name -> name != null && name.toLowerCase(Locale.ROOT).contains("gopro"));
    }

    /** "2025-06-14T09:31:07+0200" (Apple's form), also with a colon in the offset, fractions, "Z", or no offset. */
    static PictureTime parseAppleCreationDate(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = APPLE_TIME.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(m.group(1));
        } catch (DateTimeException e) {
            return null;
        }
        ZoneOffset offset = null;
        if (m.group(2) != null) {
            String zone = m.group(2);
            offset = zone.equals("Z") ? ZoneOffset.UTC : parseOffset(zone.length() == 5 ? zone.substring(0, 3) + ":" + zone.substring(3) : zone);
        }
        return new PictureTime(local, offset, PictureTime.Source.CONTAINER);
    }

    static LocalDateTime parseExifTime(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.replace('\0', ' ').trim();
        if (trimmed.length() < 19) {
            return null;
        }
        char[] chars = trimmed.substring(0, 19).toCharArray();
        if (chars[4] == '-' || chars[4] == '/') {
            chars[4] = ':';
        }
        if (chars[7] == '-' || chars[7] == '/') {
            chars[7] = ':';
        }
        if (chars[10] == 'T') {
            chars[10] = ' ';
        }
        try {
            return LocalDateTime.parse(new String(chars), EXIF_TIME);
        } catch (DateTimeException e) {
            return null; // e.g. "0000:00:00 00:00:00" or blanks: the camera did not know
        }
    }

    static ZoneOffset parseOffset(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return ZoneOffset.of(text.replace('\0', ' ').trim());
        } catch (DateTimeException e) {
            return null;
        }
    }

    private PictureTime fileTime(MediaSource source) {
        return source.lastModified().map(instant -> inZone(instant, PictureTime.Source.FILE_TIME)).orElse(null);
    }

    /** An instant as local time and offset in the ingest zone, in whole seconds like EXIF. */
    private PictureTime inZone(Instant instant, PictureTime.Source from) {
        ZoneId zone = rules.zone();
        Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
        return new PictureTime(LocalDateTime.ofInstant(seconds, zone), zone.getRules().getOffset(seconds), from);
    }

    // ---- detection refinements ----

    /**
     * Tells ISO base media files (MP4, QuickTime, HEIF) apart by their ftyp brands. tika-core 4.0.0's magic knows only
     * the major brands heic/heix (image/heic), mif1 (image/heif), avif and mp41/mp42 (video/mp4); every other ftyp,
     * e.g. the "isom" of ffmpeg's and Android's MP4s, a HEIC whose major brand is msf1/heim/heis or a mif1 HEIF whose
     * compatible brands say heic, comes out as video/quicktime or plain image/heif. This fallback reads the brands.
     */
    static String refineIsoBmff(byte[] header, String detected) {
        if (header.length < 16 || !ascii(header, 4).equals("ftyp")) {
            return detected;
        }
        long boxSize = u32(header, 0);
        int end = (int) Math.min(header.length, Math.max(16, boxSize));
        String major = ascii(header, 8);
        List<String> compatible = new ArrayList<>();
        for (int at = 16; at + 4 <= end; at += 4) {
            compatible.add(ascii(header, at));
        }
        String byMajor = switch (major) {
            case "heic", "heix", "heim", "heis" -> "image/heic";
            case "hevc", "hevx", "hevm", "hevs" -> "image/heic-sequence";
            case "avif", "avis" -> "image/avif";
            case "qt  " -> "video/quicktime";
            case "M4A ", "M4B ", "M4P " -> "audio/mp4";
            case "3gp4", "3gp5", "3gp6", "3gp7", "3gg6", "3g2a", "3g2b", "3g2c" -> "video/3gpp";
            case "crx " -> "image/x-canon-cr3";
            default -> MP4_BRANDS.contains(major) ? "video/mp4" : null;
        };
        if (byMajor != null) {
            return byMajor;
        }
        if (compatible.stream().anyMatch(Set.of("heic", "heix", "heim", "heis")::contains)) {
            return "image/heic";
        }
        if (compatible.contains("avif")) {
            return "image/avif";
        }
        if (major.equals("mif1") || compatible.contains("mif1")) {
            return "image/heif";
        }
        if (major.equals("msf1") || compatible.contains("msf1")) {
            return "image/heif-sequence";
        }
        if (compatible.stream().anyMatch(MP4_BRANDS::contains)) {
            return "video/mp4";
        }
        if (compatible.contains("qt  ")) {
            return "video/quicktime";
        }
        return detected;
    }

    /**
     * Tells WebM from Matroska by the DocType in the EBML header. tika-core 4.0.0 needs a container detector for that
     * (TIKA-1180, not in tika-core) and otherwise says application/x-matroska for both, unless the DocType happens to
     * sit at one fixed position.
     */
    static String refineMatroska(byte[] header, String detected) {
        if (header.length < 5 || (header[0] & 0xFF) != 0x1A || (header[1] & 0xFF) != 0x45 || (header[2] & 0xFF) != 0xDF
                || (header[3] & 0xFF) != 0xA3) {
            return detected;
        }
        long[] size = vint(header, 4, false);
        if (size == null) {
            return detected;
        }
        int at = (int) size[1];
        long end = Math.min(header.length, size[0] < 0 ? header.length : at + size[0]);
        while (at < end) {
            long[] id = vint(header, at, true);
            if (id == null) {
                return detected;
            }
            long[] length = vint(header, (int) id[1], false);
            if (length == null || length[0] < 0 || length[1] + length[0] > header.length) {
                return detected;
            }
            int data = (int) length[1];
            if (id[0] == 0x4282) {
                String docType = new String(header, data, (int) length[0], StandardCharsets.US_ASCII).replace("\0", "").trim();
                return switch (docType) {
                    case "webm" -> "video/webm";
                    case "matroska" -> "video/x-matroska";
                    default -> detected;
                };
            }
            at = (int) (data + length[0]);
        }
        return detected;
    }

    /** An EBML variable-length integer at {@code at}: {value (-1 for an unknown size), index after it}, or null. */
    private static long[] vint(byte[] bytes, int at, boolean keepMarker) {
        if (at >= bytes.length) {
            return null;
        }
        int first = bytes[at] & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || length > 8 || at + length > bytes.length) {
            return null;
        }
        long value = keepMarker ? first : first & (0xFF >> length);
        boolean allOnes = value == (0xFF >> length);
        for (int i = 1; i < length; i++) {
            int b = bytes[at + i] & 0xFF;
            allOnes &= b == 0xFF;
            value = (value << 8) | b;
        }
        return new long[] {!keepMarker && allOnes ? -1 : value, at + length};
    }

    private static String ascii(byte[] bytes, int at) {
        return new String(bytes, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static long u32(byte[] bytes, int at) {
        return ((bytes[at] & 0xFFL) << 24) | ((bytes[at + 1] & 0xFFL) << 16) | ((bytes[at + 2] & 0xFFL) << 8) | (bytes[at + 3] & 0xFFL);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The accepted types: MIME type, kind, canonical extension, the extensions a name may have, the metadata reader's type. */
    private enum Format {
        JPEG("image/jpeg", MediaKind.IMAGE, "jpg", Set.of("jpg", "jpeg", "jfif"), FileType.Jpeg),
        PNG("image/png", MediaKind.IMAGE, "png", Set.of("png"), FileType.Png),
        // Phones write HEVC-coded HEIF stills; Inspektlabs lists only "heic", so both types get that extension.
        HEIC("image/heic", MediaKind.IMAGE, "heic", Set.of("heic", "heif"), FileType.Heif),
        HEIF("image/heif", MediaKind.IMAGE, "heic", Set.of("heic", "heif"), FileType.Heif),
        MP4("video/mp4", MediaKind.VIDEO, "mp4", Set.of("mp4", "m4v"), FileType.Mp4),
        MOV("video/quicktime", MediaKind.VIDEO, "mov", Set.of("mov", "qt"), FileType.QuickTime),
        WEBM("video/webm", MediaKind.VIDEO, "webm", Set.of("webm"), FileType.Unknown),
        MKV("video/x-matroska", MediaKind.VIDEO, "mkv", Set.of("mkv"), FileType.Unknown),
        AVI("video/x-msvideo", MediaKind.VIDEO, "avi", Set.of("avi"), FileType.Avi);

        final String mimeType;
        final MediaKind kind;
        final String extension;
        final Set<String> names;
        final FileType fileType;

        Format(String mimeType, MediaKind kind, String extension, Set<String> names, FileType fileType) {
            this.mimeType = mimeType;
            this.kind = kind;
            this.extension = extension;
            this.names = names;
            this.fileType = fileType;
        }

        static Format of(String mimeType) {
            for (Format format : values()) {
                if (format.mimeType.equals(mimeType)) {
                    return format;
                }
            }
            return null;
        }
    }
}
