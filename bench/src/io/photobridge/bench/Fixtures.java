package io.photobridge.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Real-looking benchmark media: camera-sized JPEGs with a camera's EXIF block, each copy unique, and padded MP4 videos. */
public final class Fixtures {

    private static final Path EXIF_SOURCE = Path.of("src/test/resources/media/key-exif.jpg");
    private static final Path VIDEO_SOURCE = Path.of("src/test/resources/media/clip.mp4");

    private Fixtures() {
    }

    /**
     * A JPEG of about {@code targetBytes} (within 10%): a gradient sky, a car-like body, and sensor noise at a camera-like quality,
     * with the EXIF segment of a real phone photo. Cached under {@code cache} since big ones take seconds to encode.
     */
    public static byte[] photo(Path cache, long targetBytes) throws IOException {
        Path cached = cache.resolve("photo-" + targetBytes + ".jpg");
        if (Files.isRegularFile(cached)) {
            return Files.readAllBytes(cached);
        }
        // about 0.55 bytes per pixel at quality 0.92 with this much noise; correct the size once from the first try
        double pixels = targetBytes / 0.55;
        byte[] jpeg = null;
        for (int attempt = 0; attempt < 6; attempt++) {
            int width = (int) Math.max(64, Math.round(Math.sqrt(pixels * 4 / 3)));
            int height = width * 3 / 4;
            jpeg = withExif(encode(scene(width, height, targetBytes), 0.92f));
            double ratio = (double) targetBytes / jpeg.length;
            if (Math.abs(1 - ratio) <= 0.1) {
                break;
            }
            pixels *= ratio;
        }
        Files.createDirectories(cache);
        Files.write(cached, jpeg);
        return jpeg;
    }

    /** Writes {@code count} unique copies of {@code jpeg} (a COM segment with the copy's number), named {@code prefix-00001.jpg}..., each with an old modification time; their paths. */
    public static List<Path> copies(byte[] jpeg, Path dir, String prefix, int count) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>(count);
        FileTime taken = FileTime.from(Instant.now().minusSeconds(3600));
        for (int i = 1; i <= count; i++) {
            String name = String.format("%s-%05d.jpg", prefix, i);
            Path file = dir.resolve(name);
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(jpeg, 0, 2); // SOI
                byte[] comment = (name + " " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
                out.write(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) ((comment.length + 2) >> 8), (byte) (comment.length + 2)});
                out.write(comment);
                out.write(jpeg, 2, jpeg.length - 2);
            }
            Files.setLastModifiedTime(file, taken);
            files.add(file);
        }
        return files;
    }

    /** An MP4 of exactly {@code bytes}: a real 1 s clip followed by a {@code free} box of padding (valid ISO media). */
    public static Path video(Path file, long bytes) throws IOException {
        byte[] clip = Files.readAllBytes(VIDEO_SOURCE);
        long padding = bytes - clip.length;
        if (padding < 8 || padding > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("video size " + bytes + " out of range");
        }
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(clip);
            out.write(ByteBuffer.allocate(8).putInt((int) padding).put("free".getBytes(StandardCharsets.US_ASCII)).array());
            byte[] zeros = new byte[1 << 20];
            for (long left = padding - 8; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        return file;
    }

    /** Moves {@code file} into {@code dir} in one rename: the moment it appears there it is complete (the way a careful copy tool delivers). */
    public static Path deliver(Path file, Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.move(file, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private static BufferedImage scene(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(120, 160, 215), 0, height / 2f, new Color(220, 225, 230)));
        g.fillRect(0, 0, width, height / 2);
        g.setPaint(new GradientPaint(0, height / 2f, new Color(95, 95, 90), 0, height, new Color(60, 58, 55)));
        g.fillRect(0, height / 2, width, height - height / 2);
        g.setPaint(new GradientPaint(width * 0.15f, height * 0.35f, new Color(150, 20, 25), width * 0.85f, height * 0.75f, new Color(70, 8, 12)));
        g.fillRoundRect((int) (width * 0.12), (int) (height * 0.38), (int) (width * 0.76), (int) (height * 0.3), width / 12, height / 8);
        g.fillRoundRect((int) (width * 0.28), (int) (height * 0.25), (int) (width * 0.42), (int) (height * 0.18), width / 10, height / 6);
        g.setColor(new Color(30, 30, 32));
        for (double x : new double[] {0.25, 0.72}) {
            int d = (int) (height * 0.2);
            g.fillOval((int) (width * x) - d / 2, (int) (height * 0.6), d, d);
        }
        g.dispose();
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int n = (int) (random.nextGaussian() * 9);
                int rgb = row[x];
                row[x] = clamp((rgb >> 16 & 0xFF) + n) << 16 | clamp((rgb >> 8 & 0xFF) + n) << 8 | clamp((rgb & 0xFF) + n);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The JPEG with the APP1 (EXIF) segment of a real phone photo inserted after SOI. */
    private static byte[] withExif(byte[] jpeg) throws IOException {
        byte[] source = Files.readAllBytes(EXIF_SOURCE);
        int at = 2;
        while (at + 4 < source.length && (source[at] & 0xFF) == 0xFF) {
            int marker = source[at + 1] & 0xFF;
            int length = (source[at + 2] & 0xFF) << 8 | (source[at + 3] & 0xFF);
            if (marker == 0xE1) {
                byte[] out = new byte[jpeg.length + length + 2];
                System.arraycopy(jpeg, 0, out, 0, 2);
                System.arraycopy(source, at, out, 2, length + 2);
                System.arraycopy(jpeg, 2, out, length + 4, jpeg.length - 2);
                return out;
            }
            at += 2 + length;
        }
        return Arrays.copyOf(jpeg, jpeg.length);
    }
}
