package io.photobridge.sandbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The damage report the Inspektlabs sandbox sends to a callback URL: realistic and deterministic (the same upload always gives
 * the same report). Vehicle data is seeded by the session, each file's damages by its SHA-256 (file mode) or URL (urls mode).
 */
public final class InspektlabsReport {

    /** The report's {@code version}. */
    public static final String VERSION = "2.4";

    private static final String[] PARTS = {"Front Bumper", "Rear Bumper", "Hood", "Front Left Door", "Front Right Door",
        "Rear Left Door", "Rear Right Door", "Left Fender", "Right Fender", "Windshield", "Left Headlight", "Right Taillight",
        "Roof", "Trunk", "Left Side Mirror", "Right Quarter Panel"};
    private static final String[] DAMAGE_TYPES = {"Scratch", "Dent", "Crack", "Broken", "Paint Damage", "Misalignment"};
    private static final String[] SEVERITIES = {"minor", "moderate", "severe"};
    private static final String[][] VEHICLES = {
        {"Toyota", "Corolla", "LE", "2T1"}, {"Honda", "Civic", "EX", "19X"}, {"Ford", "F-150", "XLT", "1FT"},
        {"Hyundai", "Elantra", "SEL", "5NP"}, {"Chevrolet", "Malibu", "LT", "1G1"}, {"Nissan", "Altima", "2.5 SV", "1N4"}};
    private static final String[] COLORS = {"Silver", "White", "Black", "Blue", "Red", "Gray"};
    private static final String[] FUEL = {"Empty", "1/4", "1/2", "3/4", "Full"};
    private static final String VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    private static final int[] VIN_WEIGHTS = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    private static final int IMAGE_WIDTH = 1920;
    private static final int IMAGE_HEIGHT = 1080;

    private InspektlabsReport() {
    }

    /** The report of this upload: {@code status} is "Rejected" when every file name contains "reject", else "Available". */
    public static ObjectNode of(InspektlabsUpload upload) {
        Random vehicleRandom = new Random(seed(upload.session()));
        boolean rejected = !upload.files().isEmpty()
                && upload.files().stream().allMatch(f -> f.name().toLowerCase(Locale.ROOT).contains("reject"));

        ObjectNode report = SandboxHttp.object();
        report.put("status", rejected ? "Rejected" : "Available");
        report.put("caseId", upload.caseId());
        report.put("inspectionId", upload.session());
        report.put("vendor", "Inspektlabs");
        report.put("version", VERSION);
        report.put("uploadStatus", "complete upload");
        report.put("vehicleType", "Car");
        report.putObject("appFormData");
        ObjectNode geo = report.putObject("geoLocation");
        geo.put("latitude", round(30.0 + vehicleRandom.nextDouble() * 15.0, 6));
        geo.put("longitude", round(-120.0 + vehicleRandom.nextDouble() * 45.0, 6));

        ArrayNode damages = SandboxHttp.MAPPER.createArrayNode();
        int damageCount = 0;
        for (InspektlabsUpload.UploadedFile file : upload.files()) {
            ObjectNode entry = damages.addObject();
            entry.put("file", file.name());
            ArrayNode list = entry.putArray("damages");
            if (!rejected) {
                damageCount += fileDamages(list, InspektlabsUpload.MODE_URLS.equals(upload.mode()) ? file.name() : file.sha256());
            }
        }

        String[] vehicle = VEHICLES[vehicleRandom.nextInt(VEHICLES.length)];
        ObjectNode readings = report.putObject("vehicleReadings");
        readings.put("odometerReading", String.valueOf(5_000 + vehicleRandom.nextInt(145_000)));
        readings.put("vinReading", vin(vehicle[3], vehicleRandom));
        readings.put("fuelMeterReading", FUEL[vehicleRandom.nextInt(FUEL.length)]);
        readings.put("licensePlateReading", plate(vehicleRandom));
        readings.put("engineNumberReading", engineNumber(vehicleRandom));
        readings.put("observations", rejected ? "Inspection rejected: the images are not suitable for damage detection"
                : damageCount == 0 ? "No damage detected"
                : damageCount + " damage" + (damageCount == 1 ? "" : "s") + " detected on " + upload.files().size()
                        + (upload.files().size() == 1 ? " file" : " files"));
        readings.put("make", vehicle[0]);
        readings.put("model", vehicle[1]);
        readings.put("subModel", vehicle[2]);
        readings.put("color", COLORS[vehicleRandom.nextInt(COLORS.length)]);
        report.set("damages", damages);
        return report;
    }

    /** Adds 0 to 3 damages seeded by {@code seedText}; answers how many. */
    private static int fileDamages(ArrayNode list, String seedText) {
        Random random = new Random(seed(seedText));
        int count = random.nextInt(4);
        List<String> parts = new ArrayList<>(List.of(PARTS));
        for (int i = 0; i < count; i++) {
            String part = parts.remove(random.nextInt(parts.size()));
            ObjectNode damage = list.addObject();
            damage.put("part", part);
            damage.put("damageType", DAMAGE_TYPES[random.nextInt(DAMAGE_TYPES.length)]);
            damage.put("severity", SEVERITIES[random.nextInt(SEVERITIES.length)]);
            damage.put("confidence", round(0.55 + random.nextDouble() * 0.44, 2));
            int w = 80 + random.nextInt(500);
            int h = 60 + random.nextInt(400);
            ArrayNode box = damage.putArray("boundingBox");
            box.add(random.nextInt(IMAGE_WIDTH - w));
            box.add(random.nextInt(IMAGE_HEIGHT - h));
            box.add(w);
            box.add(h);
        }
        return count;
    }

    /** A 17-character VIN with this manufacturer prefix and a valid check digit. */
    static String vin(String wmi, Random random) {
        char[] vin = new char[17];
        for (int i = 0; i < 17; i++) {
            vin[i] = i < wmi.length() ? wmi.charAt(i) : VIN_CHARS.charAt(random.nextInt(VIN_CHARS.length()));
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += transliterate(vin[i]) * VIN_WEIGHTS[i];
        }
        int check = sum % 11;
        vin[8] = check == 10 ? 'X' : (char) ('0' + check);
        return new String(vin);
    }

    private static int transliterate(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return "0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ".indexOf(c) % 10;
    }

    private static String plate(Random random) {
        StringBuilder plate = new StringBuilder();
        plate.append((char) ('1' + random.nextInt(9)));
        for (int i = 0; i < 3; i++) {
            plate.append(VIN_CHARS.charAt(random.nextInt(23)));
        }
        for (int i = 0; i < 3; i++) {
            plate.append((char) ('0' + random.nextInt(10)));
        }
        return plate.toString();
    }

    private static String engineNumber(Random random) {
        StringBuilder engine = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            engine.append(VIN_CHARS.charAt(random.nextInt(VIN_CHARS.length())));
        }
        engine.append('-');
        for (int i = 0; i < 7; i++) {
            engine.append((char) ('0' + random.nextInt(10)));
        }
        return engine.toString();
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static long seed(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lowercase hex SHA-256 of a text, for seeds and token fingerprints. */
    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
