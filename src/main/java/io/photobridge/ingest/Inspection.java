package io.photobridge.ingest;

/**
 * What inspection found out about a media file. extension = canonical lowercase extension of the detected type ("jpg","png","heic","mp4","mov",...).
 *
 * @param sha256      the SHA-256 of all the bytes, lowercase hex
 * @param size        the number of bytes read
 * @param mimeType    the type detected from the bytes, e.g. {@code image/jpeg}, {@code video/mp4}
 * @param kind        image or video, from the detected type
 * @param extension   the canonical lowercase extension of the detected type, without the dot
 * @param pictureTime when the picture was taken; null only when neither the metadata nor the source knows a time
 * @param embeddedVideo the video a motion photo carries after its picture, or null
 */
public record Inspection(String sha256, long size, String mimeType, MediaKind kind, String extension, PictureTime pictureTime,
                         EmbeddedVideo embeddedVideo) {

    public Inspection(String sha256, long size, String mimeType, MediaKind kind, String extension, PictureTime pictureTime) {
        this(sha256, size, mimeType, kind, extension, pictureTime, null);
    }
}
