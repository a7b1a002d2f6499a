package io.photobridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class InspektlabsMultipartTest {

    private static final String BOUNDARY = "XyZ-boundary-123";

    /** A part as read: headers and body. */
    private record Read(InspektlabsMultipart.Part part, byte[] body) {
    }

    private static List<Read> readAll(InputStream in, String boundary) throws IOException {
        InspektlabsMultipart multipart = new InspektlabsMultipart(in, boundary);
        List<Read> parts = new ArrayList<>();
        InspektlabsMultipart.Part part;
        while ((part = multipart.next()) != null) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            multipart.copyBody(body);
            parts.add(new Read(part, body.toByteArray()));
        }
        return parts;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            out.writeBytes(piece);
        }
        return out.toByteArray();
    }

    /** Hands out the bytes in reads of 1 to {@code max} bytes, as a slow network would. */
    private static InputStream trickle(byte[] bytes, long seed, int max) {
        Random random = new Random(seed);
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(max)));
            }
        };
    }

    @Test
    void readsFieldsAndFilesIgnoringPreambleAndEpilogue() throws Exception {
        byte[] body = ascii("preamble to ignore\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"session\"\r\n\r\n"
                + "in123\r\n"
                + "--" + BOUNDARY + "  \r\n"
                + "Content-Disposition: form-data; name=\"files\"; filename=\"my \\\"best\\\" photo.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n"
                + "\r\nJPEG\r\n--not-the-boundary\r\n\r\n"
                + "--" + BOUNDARY + "--\r\n"
                + "epilogue");

        List<Read> parts = readAll(new ByteArrayInputStream(body), BOUNDARY);

        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).part()).isEqualTo(new InspektlabsMultipart.Part("session", null, null));
        assertThat(new String(parts.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("in123");
        assertThat(parts.get(1).part()).isEqualTo(new InspektlabsMultipart.Part("files", "my \"best\" photo.jpg", "image/jpeg"));
        assertThat(new String(parts.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("\r\nJPEG\r\n--not-the-boundary\r\n");
    }

    @Test
    void binaryBodiesSurviveEverySplitOfTheInput() throws Exception {
        Random random = new Random(7);
        List<byte[]> files = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 12; i++) {
            byte[] file = new byte[random.nextInt(200_000)];
            random.nextBytes(file);
            if (file.length > 100) {
                // near-misses of the delimiter inside the content
                System.arraycopy(ascii("\r\n--" + BOUNDARY.substring(0, 8)), 0, file, 50, 12);
                System.arraycopy(ascii("\r\n--"), 0, file, file.length - 4, 4);
            }
            files.add(file);
            body.writeBytes(ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"f" + i
                    + ".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"));
            body.writeBytes(file);
            body.writeBytes(ascii("\r\n"));
        }
        body.writeBytes(ascii("--" + BOUNDARY + "--"));

        for (int max : new int[] {1, 7, 100, 70_000}) {
            List<Read> parts = readAll(trickle(body.toByteArray(), max, max), BOUNDARY);
            assertThat(parts).hasSize(files.size());
            for (int i = 0; i < files.size(); i++) {
                assertThat(parts.get(i).part().fileName()).isEqualTo("f" + i + ".jpg");
                assertThat(parts.get(i).body()).as("file %d read %d bytes at a time", i, max).isEqualTo(files.get(i));
            }
        }
    }

    @Test
    void unreadBodiesAreSkippedByNext() throws Exception {
        byte[] body = concat(ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"), new byte[100_000],
                ascii("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nB\r\n--" + BOUNDARY + "--\r\n"));
        InspektlabsMultipart multipart = new InspektlabsMultipart(new ByteArrayInputStream(body), BOUNDARY);

        assertThat(multipart.next().name()).isEqualTo("a");
        assertThat(multipart.next().name()).isEqualTo("b");
        assertThat(multipart.readText(10)).isEqualTo("B");
        assertThat(multipart.next()).isNull();
        assertThat(multipart.next()).isNull();
    }

    @Test
    void emptyBodyAndEmptyPartsAreFine() throws Exception {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n\r\n--" + BOUNDARY + "--");

        List<Read> parts = readAll(new ByteArrayInputStream(body), BOUNDARY);

        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).part().fileName()).isEmpty();
        assertThat(parts.get(0).part().isFile()).isTrue();
        assertThat(parts.get(0).body()).isEmpty();
    }

    @Test
    void extendedFileNameIsDecoded() throws Exception {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"fallback.jpg\"; "
                + "filename*=UTF-8''na%C3%AFve%20photo.jpg\r\n\r\nx\r\n--" + BOUNDARY + "--");

        assertThat(readAll(new ByteArrayInputStream(body), BOUNDARY).get(0).part().fileName()).isEqualTo("naïve photo.jpg");
    }

    @Test
    void bodyWithoutClosingBoundaryIsMalformed() {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without end");

        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body), BOUNDARY))
                .isInstanceOf(InspektlabsMultipart.MalformedException.class)
                .hasMessage("The multipart body ends before its closing boundary.");
    }

    @Test
    void partWithoutFormDataDispositionIsMalformed() {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY + "--");

        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body), BOUNDARY))
                .isInstanceOf(InspektlabsMultipart.MalformedException.class);
    }

    @Test
    void hugeHeaderIsMalformed() {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + "a".repeat(20_000) + "\"\r\n\r\nx\r\n--"
                + BOUNDARY + "--");

        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(body), BOUNDARY))
                .isInstanceOf(InspektlabsMultipart.MalformedException.class);
    }

    @Test
    void fieldLongerThanTheLimitIsMalformed() throws Exception {
        byte[] body = ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "x".repeat(100)
                + "\r\n--" + BOUNDARY + "--");
        InspektlabsMultipart multipart = new InspektlabsMultipart(new ByteArrayInputStream(body), BOUNDARY);
        multipart.next();

        assertThatThrownBy(() -> multipart.readText(99)).isInstanceOf(InspektlabsMultipart.MalformedException.class);
    }

    @Test
    void boundaryComesFromTheContentType() {
        assertThat(InspektlabsMultipart.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(InspektlabsMultipart.boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"a b;c\"")).isEqualTo("a b;c");
        assertThat(InspektlabsMultipart.boundary("multipart/form-data")).isNull();
        assertThat(InspektlabsMultipart.boundary("multipart/form-data; boundary=")).isNull();
        assertThat(InspektlabsMultipart.boundary(null)).isNull();
    }
}
