package io.photobridge.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Streaming multipart/form-data reader (RFC 7578): {@link #next()} gives the parts one after another and
 * {@link #copyBody(OutputStream)} copies the current part's body to a sink while scanning for the boundary, so neither a part
 * nor the body is ever held in memory (a fixed 64 KB buffer).
 */
final class InspektlabsMultipart {

    /** Largest header block of one part. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int BUFFER_BYTES = 64 * 1024;

    /** One part's headers: form field name, file name (null for a plain field) and Content-Type (null when not sent). */
    record Part(String name, String fileName, String contentType) {
        boolean isFile() {
            return fileName != null;
        }
    }

    /** The body is not well-formed multipart. */
    static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer;
    private int pos;
    private int limit;
    private boolean started;
    private boolean inBody;
    private boolean finished;

    /** Reads parts delimited by {@code boundary} from {@code in}. */
    InspektlabsMultipart(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw new IllegalArgumentException("Invalid multipart boundary");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buffer = new byte[Math.max(BUFFER_BYTES, delimiter.length * 4)];
        // A virtual CRLF before the body lets the first boundary (which has none) match the same delimiter as the others.
        buffer[0] = '\r';
        buffer[1] = '\n';
        limit = 2;
    }

    /** The boundary parameter of a multipart Content-Type header, or null when there is none. */
    static String boundary(String contentType) {
        if (contentType == null) {
            return null;
        }
        Map<String, String> params = parameters(contentType);
        String boundary = params.get("boundary");
        return boundary == null || boundary.isEmpty() || boundary.length() > 70 ? null : boundary;
    }

    /** The next part, after skipping whatever is left of the current one; null after the closing boundary. */
    Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (!started) {
            scan(OutputStream.nullOutputStream()); // the preamble
            started = true;
        } else if (inBody) {
            copyBody(OutputStream.nullOutputStream());
        }
        if (!fill(2)) {
            throw new MalformedException("The multipart body ends right after a boundary.");
        }
        if (buffer[pos] == '-' && buffer[pos + 1] == '-') {
            finished = true;
            pos = limit;
            in.transferTo(OutputStream.nullOutputStream()); // the epilogue
            return null;
        }
        String padding = readLine();
        if (!padding.isBlank()) {
            throw new MalformedException("Unexpected bytes after a multipart boundary.");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        while (true) {
            String line = readLine();
            headerBytes += line.length() + 2;
            if (headerBytes > MAX_HEADER_BYTES) {
                throw new MalformedException("The headers of a multipart part are larger than " + MAX_HEADER_BYTES + " bytes.");
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedException("Malformed multipart part header.");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String disposition = headers.get("content-disposition");
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new MalformedException("A multipart part has no Content-Disposition: form-data header.");
        }
        Map<String, String> params = parameters(disposition);
        String name = params.get("name");
        if (name == null) {
            throw new MalformedException("A multipart part has no name.");
        }
        String fileName = params.containsKey("filename*") ? extendedValue(params.get("filename*")) : params.get("filename");
        if (fileName == null && params.containsKey("filename*")) {
            fileName = params.get("filename");
        }
        inBody = true;
        return new Part(name, fileName, headers.get("content-type"));
    }

    /** Copies the current part's body to {@code sink}, up to (not including) the next boundary. */
    void copyBody(OutputStream sink) throws IOException {
        if (!inBody) {
            throw new IllegalStateException("No part body to read");
        }
        scan(sink);
        inBody = false;
    }

    /** The current part's body as UTF-8 text; fails when it is longer than {@code maxBytes}. */
    String readText(int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copyBody(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (out.size() + len > maxBytes) {
                    throw new MalformedException("A multipart form field is longer than " + maxBytes + " bytes.");
                }
                out.write(b, off, len);
            }
        });
        return out.toString(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ scanning

    /** Writes bytes to the sink until the delimiter, which is consumed. */
    private void scan(OutputStream sink) throws IOException {
        while (true) {
            int found = indexOfDelimiter();
            if (found >= 0) {
                if (found > pos) {
                    sink.write(buffer, pos, found - pos);
                }
                pos = found + delimiter.length;
                return;
            }
            // Everything except a possible delimiter start at the end is part of the body.
            int safe = Math.max(pos, limit - (delimiter.length - 1));
            if (safe > pos) {
                sink.write(buffer, pos, safe - pos);
                pos = safe;
            }
            compact();
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                throw new MalformedException("The multipart body ends before its closing boundary.");
            }
            limit += n;
        }
    }

    private int indexOfDelimiter() {
        byte first = delimiter[0];
        int last = limit - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buffer[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buffer[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** One CRLF-terminated line (CRLF consumed), decoded as UTF-8. */
    private String readLine() throws IOException {
        while (true) {
            for (int i = pos; i + 1 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                    String line = new String(buffer, pos, i - pos, StandardCharsets.UTF_8);
                    pos = i + 2;
                    return line;
                }
            }
            if (limit - pos > MAX_HEADER_BYTES) {
                throw new MalformedException("A multipart header line is longer than " + MAX_HEADER_BYTES + " bytes.");
            }
            compact();
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                throw new MalformedException("The multipart body ends inside a part's headers.");
            }
            limit += n;
        }
    }

    /** True when at least {@code n} unread bytes are buffered (reading more as needed), false at the end of input. */
    private boolean fill(int n) throws IOException {
        while (limit - pos < n) {
            compact();
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                return false;
            }
            limit += read;
        }
        return true;
    }

    private void compact() {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
    }

    // ------------------------------------------------------------------ header parameters

    /** The parameters of a header value such as {@code form-data; name="files"; filename="a.jpg"}, keys in lower case. */
    static Map<String, String> parameters(String headerValue) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = headerValue.indexOf(';');
        if (i < 0) {
            return params;
        }
        int n = headerValue.length();
        i++;
        while (i < n) {
            while (i < n && (headerValue.charAt(i) == ' ' || headerValue.charAt(i) == '\t' || headerValue.charAt(i) == ';')) {
                i++;
            }
            int keyStart = i;
            while (i < n && headerValue.charAt(i) != '=' && headerValue.charAt(i) != ';') {
                i++;
            }
            String key = headerValue.substring(keyStart, i).trim().toLowerCase(Locale.ROOT);
            if (i >= n || headerValue.charAt(i) == ';') {
                if (!key.isEmpty()) {
                    params.putIfAbsent(key, "");
                }
                continue;
            }
            i++; // '='
            String value;
            if (i < n && headerValue.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                i++;
                while (i < n && headerValue.charAt(i) != '"') {
                    char c = headerValue.charAt(i);
                    // Browsers do not escape backslashes in file names (C:\path\a.jpg); only \" and \\ are escapes.
                    if (c == '\\' && i + 1 < n && (headerValue.charAt(i + 1) == '"' || headerValue.charAt(i + 1) == '\\')) {
                        i++;
                        c = headerValue.charAt(i);
                    }
                    quoted.append(c);
                    i++;
                }
                i++; // closing quote
                value = quoted.toString();
                while (i < n && headerValue.charAt(i) != ';') {
                    i++;
                }
            } else {
                int valueStart = i;
                while (i < n && headerValue.charAt(i) != ';') {
                    i++;
                }
                value = headerValue.substring(valueStart, i).trim();
            }
            if (!key.isEmpty()) {
                params.putIfAbsent(key, value);
            }
        }
        return params;
    }

    /** Decodes an RFC 5987 value such as {@code UTF-8''na%C3%AFve.jpg}; null when malformed. */
    private static String extendedValue(String value) {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) {
            return null;
        }
        String charset = value.substring(0, first);
        if (!charset.equalsIgnoreCase("UTF-8")) {
            return null;
        }
        return SandboxHttp.decodePathSegment(value.substring(second + 1));
    }
}
