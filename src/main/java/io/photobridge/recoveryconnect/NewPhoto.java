package io.photobridge.recoveryconnect;

/** The metadata of a photo to create; the bytes travel separately, streamed as Base64. {@code type} may be null (vendor default). */
public record NewPhoto(String fileName, String imageName, String pictureTime, Integer type) {
}
