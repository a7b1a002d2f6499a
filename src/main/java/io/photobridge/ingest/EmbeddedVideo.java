package io.photobridge.ingest;

/**
 * A video stored inside a picture file after the picture itself (an Android "motion photo"), kept with the photo's record.
 *
 * @param offset where the video's first byte is in the file
 * @param length the video's length in bytes
 */
public record EmbeddedVideo(long offset, long length) {
}
