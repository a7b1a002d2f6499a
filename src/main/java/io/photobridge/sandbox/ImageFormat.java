package io.photobridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Image formats RecoveryConnect accepts, recognised by their magic bytes.
 */
enum ImageFormat {
    JPEG("jpg", "image/jpeg"),
    PNG("png", "image/png"),
    GIF("gif", "image/gif"),
    HEIC("heic", "image/heic"),
    HEIF("heif", "image/heif");

    /** Bytes needed by {@link #detect(byte[], int)}. */
    static final int HEADER_LENGTH = 12;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final Set<String> HEIC_BRANDS = Set.of("heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs");
    private static final Set<String> HEIF_BRANDS = Set.of("mif1", "msf1");

    private final String extension;
    private final String contentType;

    ImageFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    String extension() {
        return extension;
    }

    String contentType() {
        return contentType;
    }

    /** The format of these leading bytes, or null when they are not a known image. */
    static ImageFormat detect(byte[] header, int length) {
        if (length >= 3 && (header[0] & 0xFF) == 0xFF && (header[1] & 0xFF) == 0xD8 && (header[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (startsWith(header, length, PNG_MAGIC)) {
            return PNG;
        }
        if (startsWith(header, length, "GIF87a".getBytes(StandardCharsets.US_ASCII))
                || startsWith(header, length, "GIF89a".getBytes(StandardCharsets.US_ASCII))) {
            return GIF;
        }
        if (length >= 12 && new String(header, 4, 4, StandardCharsets.US_ASCII).equals("ftyp")) {
            String brand = new String(header, 8, 4, StandardCharsets.US_ASCII);
            if (HEIC_BRANDS.contains(brand)) {
                return HEIC;
            }
            if (HEIF_BRANDS.contains(brand)) {
                return HEIF;
            }
        }
        return null;
    }

    static ImageFormat fromContentType(String contentType) {
        for (ImageFormat format : values()) {
            if (format.contentType.equals(contentType)) {
                return format;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] header, int length, byte[] magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (header[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
