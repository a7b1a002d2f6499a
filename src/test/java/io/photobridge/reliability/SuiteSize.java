package io.photobridge.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The reliability suite's size (reduced in CI, full with -Dreliability.size=full) and where each check writes its figures. */
public enum SuiteSize {
    REDUCED, FULL;

    /** Folder of the result files, one Markdown section per check; RELIABILITY.md quotes them. */
    public static final Path RESULTS = Path.of("target", "reliability");

    /** The size asked for by the reliability.size system property (default reduced). */
    public static SuiteSize current() {
        return "full".equalsIgnoreCase(System.getProperty("reliability.size", "reduced")) ? FULL : REDUCED;
    }

    /** {@code reduced} in a reduced run, {@code full} in a full one. */
    public int pick(int reduced, int full) {
        return this == FULL ? full : reduced;
    }

    /** Writes {@code target/reliability/<check>.md} (replacing an earlier run's), headed with the check and the size. */
    public void writeResult(String check, String markdown) {
        try {
            Files.createDirectories(RESULTS);
            Files.writeString(RESULTS.resolve(check + ".md"), "### " + check + " (" + name().toLowerCase() + " size)\n\n" + markdown + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
