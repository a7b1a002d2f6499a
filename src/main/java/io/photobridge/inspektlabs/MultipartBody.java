package io.photobridge.inspektlabs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.photobridge.ingest.MediaSource;

/**
 * A multipart/form-data body whose file parts are read from their sources while it is sent: one source open at a time,
 * opened when its bytes are due and closed when they are read; the exact length is known up front when every size is.
 */
final class MultipartBody {

    private static final String CRLF = "\r\n";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<String, String> TYPES_BY_EXTENSION = Map.ofEntries(
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("jfif", "image/jpeg"),
            Map.entry("png", "image/png"), Map.entry("heic", "image/heic"), Map.entry("heif", "image/heif"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("mov", "video/quicktime"),
            Map.entry("mkv", "video/x-matroska"), Map.entry("avi", "video/x-msvideo"));

    private final String boundary;
    private final List<Segment> segments;
    private final long length;
    private volatile IOException sourceFailure;

    private MultipartBody(String boundary, List<Segment> segments) {
        this.boundary = boundary;
        this.segments = List.copyOf(segments);
        long total = 0;
        for (Segment segment : segments) {
            long size = segment.length();
            if (size < 0) {
                total = -1;
                break;
            }
            total += size;
        }
        this.length = total;
    }

    /** {@code multipart/form-data; boundary=...}. */
    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    String boundary() {
        return boundary;
    }

    /** The exact number of bytes of the body, or -1 when a source's size is unknown. */
    long length() {
        return length;
    }

    /** The first failure to read a source while the body was sent, if any: the upload failed on this side, not the vendor's. */
    IOException sourceFailure() {
        return sourceFailure;
    }

    /** A new stream over the whole body; each call starts afresh (one per send attempt). */
    InputStream open() {
        return new PartsStream();
    }

    /** A publisher that opens a new stream for each subscription; with a fixed Content-Length when the length is known, else chunked. */
    HttpRequest.BodyPublisher publisher() {
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(this::open);
        return length < 0 ? stream : HttpRequest.BodyPublishers.fromPublisher(stream, length);
    }

    static Builder builder() {
        return new Builder(randomBoundary());
    }

    static Builder builder(String boundary) {
        return new Builder(boundary);
    }

    static String randomBoundary() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "PhotoBridge-" + HexFormat.of().formatHex(bytes);
    }

    /** A file name for a quoted header parameter, as browsers write it: {@code "}, CR and LF percent-encoded. */
    static String escapeFilename(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '"': out.append("%22"); break;
                case '\r': out.append("%0D"); break;
                case '\n': out.append("%0A"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    /** The MIME type for a file name, from its extension; {@code application/octet-stream} when unknown. */
    static String contentTypeOf(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES_BY_EXTENSION.getOrDefault(extension, "application/octet-stream");
    }

    /** Collects the parts in order: the bytes between sources are merged into one segment. */
    static final class Builder {
        private final String boundary;
        private final List<Segment> segments = new ArrayList<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        private Builder(String boundary) {
            if (boundary.isEmpty() || boundary.length() > 70) {
                throw new IllegalArgumentException("A multipart boundary has 1 to 70 characters");
            }
            this.boundary = boundary;
        }

        Builder field(String name, String value) {
            ascii("--" + boundary + CRLF + "Content-Disposition: form-data; name=\"" + name + "\"" + CRLF + CRLF);
            utf8(value);
            ascii(CRLF);
            return this;
        }

        Builder file(String name, MediaSource source, String contentType) {
            ascii("--" + boundary + CRLF + "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"");
            utf8(escapeFilename(source.displayName()));
            ascii("\"" + CRLF + "Content-Type: " + contentType + CRLF + CRLF);
            flush();
            segments.add(new Source(source, size(source)));
            ascii(CRLF);
            return this;
        }

        MultipartBody build() {
            ascii("--" + boundary + "--" + CRLF);
            flush();
            return new MultipartBody(boundary, segments);
        }

        private void ascii(String s) {
            pending.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        }

        private void utf8(String s) {
            pending.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }

        private void flush() {
            if (pending.size() > 0) {
                segments.add(new Bytes(pending.toByteArray()));
                pending.reset();
            }
        }

        private static long size(MediaSource source) {
            try {
                return source.size();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + source.uri(), e);
            }
        }
    }

    private sealed interface Segment permits Bytes, Source {
        long length();
    }

    private record Bytes(byte[] bytes) implements Segment {
        @Override
        public long length() {
            return bytes.length;
        }
    }

    /** A source and its size when the body was built (-1: unknown). */
    private record Source(MediaSource source, long size) implements Segment {
        @Override
        public long length() {
            return size;
        }
    }

    /** The segments one after the other; a source is opened when its first byte is due and closed at its end. */
    private final class PartsStream extends InputStream {
        private int index;
        private int offset;
        private InputStream current;
        private long read;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (index < segments.size()) {
                Segment segment = segments.get(index);
                if (segment instanceof Bytes bytes) {
                    int n = Math.min(len, bytes.bytes().length - offset);
                    if (n > 0) {
                        System.arraycopy(bytes.bytes(), offset, b, off, n);
                        offset += n;
                        return n;
                    }
                    next();
                } else {
                    int n = readSource((Source) segment, b, off, len);
                    if (n > 0) {
                        return n;
                    }
                    if (n < 0) {
                        next();
                    }
                }
            }
            return -1;
        }

        private int readSource(Source source, byte[] b, int off, int len) throws IOException {
            try {
                if (current == null) {
                    current = source.source().open();
                    read = 0;
                }
                int n = current.read(b, off, len);
                if (n > 0) {
                    read += n;
                    if (source.size() >= 0 && read > source.size()) {
                        throw new IOException(source.source().uri() + " grew while being uploaded: more than "
                                + source.size() + " bytes");
                    }
                    return n;
                }
                if (n < 0) {
                    if (source.size() >= 0 && read != source.size()) {
                        throw new IOException(source.source().uri() + " shrank while being uploaded: " + read
                                + " bytes instead of " + source.size());
                    }
                    closeCurrent();
                }
                return n;
            } catch (IOException e) {
                if (sourceFailure == null) {
                    sourceFailure = new IOException("cannot read " + source.source().uri() + ": " + e.getMessage(), e);
                }
                closeQuietly();
                throw e;
            }
        }

        private void next() {
            index++;
            offset = 0;
        }

        private void closeCurrent() throws IOException {
            InputStream in = current;
            current = null;
            if (in != null) {
                in.close();
            }
        }

        private void closeQuietly() {
            try {
                closeCurrent();
            } catch (IOException ignored) {
                // the read already failed; that failure is the one reported
            }
        }

        /** Closes only the source being read: the ones not reached yet were never opened. */
        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                closeCurrent();
            }
        }
    }
}
