package io.photobridge.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;

/**
 * A create-photo body, read with Jackson's streaming parser: {@code data} is Base64-decoded straight into a file while its
 * SHA-256 is computed, so memory does not grow with the photo. Validation follows RecoveryConnect's (Laravel) rules.
 */
final class CreatePhotoRequest {

    private static final DateTimeFormatter SQL_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter SHORT_TIME =
            DateTimeFormatter.ofPattern("dd-MM-uuuu HH:mm").withResolverStyle(ResolverStyle.STRICT);
    /** One-line Base64, padding optional; line breaks and spaces are caught by {@link StrictBase64Guard}. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withPaddingAllowed();
    /** Other string values are small: a 1 MB cap keeps a hostile body from filling a small heap. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1_000_000).build())
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();

    private enum Data { MISSING, INVALID, PRESENT }

    private boolean malformed;
    private String fileName;
    private String imageName;
    private String pictureTime;
    private Integer type;
    private boolean typeInvalid;
    private final List<String> notStrings = new ArrayList<>();
    private Data dataState = Data.MISSING;
    private DigestingOutputStream data;

    private CreatePhotoRequest() {
    }

    /** Reads the body, decoding {@code data} into {@code target}; parsing stops at broken Base64 (the rest is left unread). */
    static CreatePhotoRequest parse(InputStream body, Path target) throws IOException {
        CreatePhotoRequest request = new CreatePhotoRequest();
        StrictBase64Guard guard = new StrictBase64Guard(body);
        try (JsonParser parser = JSON.createParser(guard)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                request.malformed = true;
                return request;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "file_name":
                        request.fileName = request.text(parser, value, field);
                        break;
                    case "image_name":
                        request.imageName = request.text(parser, value, field);
                        break;
                    case "picture_time":
                        request.pictureTime = request.text(parser, value, field);
                        break;
                    case "type":
                        request.readType(parser, value);
                        break;
                    case "data":
                        if (!request.readData(parser, value, guard, target)) {
                            return request;
                        }
                        break;
                    default:
                        parser.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            request.malformed = true;
        }
        return request;
    }

    /** {@code yyyy-MM-dd HH:mm:ss} or {@code dd-MM-yyyy HH:mm}, else null. */
    static LocalDateTime parsePictureTime(String value) {
        for (DateTimeFormatter format : List.of(SQL_TIME, SHORT_TIME)) {
            try {
                return LocalDateTime.parse(value, format);
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return null;
    }

    /** Validation errors by field, in RecoveryConnect's wording; empty when the photo can be stored. */
    Map<String, List<String>> errors() {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        if (malformed) {
            // Laravel reads a body that is not JSON as no input at all
            for (String field : List.of("file_name", "image_name", "picture_time", "data")) {
                errors.put(field, List.of("The " + field + " field is required."));
            }
            return errors;
        }
        required(errors, "file_name", fileName);
        required(errors, "image_name", imageName);
        if (required(errors, "picture_time", pictureTime) && parsePictureTime(pictureTime) == null) {
            errors.put("picture_time", List.of("The picture time does not match the format Y-m-d H:i:s."));
        }
        if (dataState == Data.MISSING) {
            errors.put("data", List.of("The data field is required."));
        } else if (dataState == Data.INVALID) {
            errors.put("data", List.of("The data field must be a valid base64 encoded image."));
        } else if (data.format() == null) {
            errors.put("data", List.of("The data must be an image."));
        }
        if (typeInvalid) {
            errors.put("type", List.of("The selected type is invalid."));
        }
        return errors;
    }

    String fileName() {
        return fileName;
    }

    String imageName() {
        return imageName;
    }

    String pictureTime() {
        return pictureTime;
    }

    /** The requested type, or {@link PhotoTypes#DEFAULT_TYPE} when none was sent. */
    int type() {
        return type == null ? PhotoTypes.DEFAULT_TYPE : type;
    }

    /** The decoded data written to the target file (valid when {@link #errors()} is empty). */
    DigestingOutputStream data() {
        return data;
    }

    private boolean required(Map<String, List<String>> errors, String field, String value) {
        if (notStrings.contains(field)) {
            errors.put(field, List.of("The " + field + " field must be a string."));
            return false;
        }
        if (value == null) {
            errors.put(field, List.of("The " + field + " field is required."));
            return false;
        }
        return true;
    }

    private String text(JsonParser parser, JsonToken value, String field) throws IOException {
        notStrings.remove(field);
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            parser.skipChildren();
            notStrings.add(field);
            return null;
        }
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        // Laravel trims strings and turns empty ones into null
        String text = parser.getText().trim();
        return text.isEmpty() ? null : text;
    }

    private void readType(JsonParser parser, JsonToken value) throws IOException {
        type = null;
        typeInvalid = false;
        Long id = null;
        if (value == JsonToken.VALUE_NULL) {
            return;
        } else if (value == JsonToken.VALUE_NUMBER_INT) {
            id = parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? null : parser.getLongValue();
        } else if (value == JsonToken.VALUE_STRING) {
            String text = parser.getText().trim();
            if (text.isEmpty()) {
                return;
            }
            id = text.matches("\\d{1,9}") ? Long.parseLong(text) : null;
        } else {
            parser.skipChildren();
        }
        if (id != null && id <= Integer.MAX_VALUE && PhotoTypes.exists(id.intValue())) {
            type = id.intValue();
        } else {
            typeInvalid = true;
        }
    }

    /** Decodes the data value into the target file; false when the parser cannot go on (broken Base64). */
    private boolean readData(JsonParser parser, JsonToken value, StrictBase64Guard guard, Path target) throws IOException {
        data = null;
        if (value == JsonToken.VALUE_NULL) {
            dataState = Data.MISSING;
            return true;
        }
        if (value != JsonToken.VALUE_STRING) {
            parser.skipChildren();
            dataState = Data.INVALID;
            return true;
        }
        long quoteOffset = parser.currentTokenLocation().getByteOffset();
        DigestingOutputStream out = new DigestingOutputStream(Files.newOutputStream(target,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        try (out) {
            parser.readBinaryValue(BASE64, out);
        } catch (JsonEOFException e) {
            malformed = true;
            return false;
        } catch (IllegalArgumentException | JsonProcessingException e) {
            dataState = Data.INVALID;
            return false;
        }
        if (guard.isNotStrictBase64(quoteOffset)) {
            dataState = Data.INVALID;
        } else if (out.size() == 0) {
            dataState = Data.MISSING;
        } else {
            dataState = Data.PRESENT;
            data = out;
        }
        return true;
    }
}
