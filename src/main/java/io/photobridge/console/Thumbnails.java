package io.photobridge.console;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import io.photobridge.records.PhotoRecord;

/**
 * Small JPEG previews of an order's photos, made from the file where the drop folder keeps it (inbox, done or error
 * folder): read subsampled (never the whole picture in memory), scaled with javax.imageio, cached on disk by content hash.
 */
public final class Thumbnails {

    /** Longest side of a preview, in pixels. */
    public static final int SIZE = 320;

    private final Path cache;
    private final Path inbox;
    private final Supplier<String> doneFolder;
    private final String errorFolder;

    /**
     * cache: where previews are kept; inbox, doneFolder, errorFolder: where the drop folder keeps a photo's file (the done
     * folder is read at each use: a route setting an admin may change while PhotoBridge runs).
     */
    public Thumbnails(Path cache, Path inbox, Supplier<String> doneFolder, String errorFolder) {
        this.cache = cache;
        this.inbox = inbox.toAbsolutePath().normalize();
        this.doneFolder = doneFolder;
        this.errorFolder = errorFolder;
    }

    /** The preview file of this photo, made on first use; empty when its file is not kept here or is not a picture ImageIO reads. */
    public Optional<Path> of(PhotoRecord photo) throws IOException {
        Path thumb = cache.resolve(photo.sha256() + "-" + SIZE + ".jpg");
        if (Files.isRegularFile(thumb)) {
            return Optional.of(thumb);
        }
        if (!"IMAGE".equals(photo.mediaKind()) && (photo.mimeType() == null || !photo.mimeType().startsWith("image/"))) {
            return Optional.empty();
        }
        Optional<Path> source = source(photo);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        BufferedImage image = read(source.get());
        if (image == null) {
            return Optional.empty();
        }
        Files.createDirectories(cache);
        Path partial = Files.createTempFile(cache, photo.sha256(), ".part");
        try {
            if (!ImageIO.write(scaled(image), "jpg", partial.toFile())) {
                return Optional.empty();
            }
            Files.move(partial, thumb, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return Optional.of(thumb);
    }

    /** The photo's file: where it was picked up, else the same path under the done or error folder. */
    private Optional<Path> source(PhotoRecord photo) {
        if (photo.sourceUri() == null || !photo.sourceUri().startsWith("file:")) {
            return Optional.empty();
        }
        Path original = Path.of(URI.create(photo.sourceUri())).toAbsolutePath().normalize();
        if (Files.isRegularFile(original)) {
            return Optional.of(original);
        }
        if (!original.startsWith(inbox)) {
            return Optional.empty();
        }
        Path relative = inbox.relativize(original);
        return Stream.of(doneFolder.get(), errorFolder).map(folder -> inbox.resolve(folder).resolve(relative)).filter(Files::isRegularFile).findFirst();
    }

    /** Decoded with a subsampling that keeps at least SIZE pixels on the longest side. */
    private static BufferedImage read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); ImageInputStream stream = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                int longest = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longest / SIZE);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } catch (IOException | RuntimeException e) {
                return null; // a CMYK JPEG or a picture ImageIO does not read: no preview, the page says so
            } finally {
                reader.dispose();
            }
        }
    }

    private static BufferedImage scaled(BufferedImage image) {
        double factor = Math.min(1.0, (double) SIZE / Math.max(image.getWidth(), image.getHeight()));
        int w = Math.max(1, (int) Math.round(image.getWidth() * factor));
        int h = Math.max(1, (int) Math.round(image.getHeight() * factor));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
