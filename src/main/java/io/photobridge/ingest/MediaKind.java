package io.photobridge.ingest;

/** Whether a media file is a still picture or a video. */
public enum MediaKind {
    IMAGE,
    VIDEO
}
