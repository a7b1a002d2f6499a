package io.photobridge.sandbox;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes through (buffered) while computing SHA-256, counting bytes and keeping the first bytes for format detection.
 */
final class DigestingOutputStream extends FilterOutputStream {

    private final MessageDigest digest;
    private final byte[] header = new byte[ImageFormat.HEADER_LENGTH];
    private int headerLength;
    private long size;
    private String sha256;

    DigestingOutputStream(OutputStream out) {
        super(new BufferedOutputStream(out, 64 * 1024));
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        if (headerLength < header.length) {
            int n = Math.min(len, header.length - headerLength);
            System.arraycopy(bytes, off, header, headerLength, n);
            headerLength += n;
        }
        digest.update(bytes, off, len);
        size += len;
        out.write(bytes, off, len);
    }

    long size() {
        return size;
    }

    /** The image format of the first bytes, or null. */
    ImageFormat format() {
        return ImageFormat.detect(header, headerLength);
    }

    /** Lowercase hex SHA-256 of everything written; call once writing is over. */
    String sha256() {
        if (sha256 == null) {
            sha256 = HexFormat.of().formatHex(digest.digest());
        }
        return sha256;
    }
}
