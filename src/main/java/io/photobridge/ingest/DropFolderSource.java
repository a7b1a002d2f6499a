package io.photobridge.ingest;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Describes a file picked up in a drop folder for the ingest pipeline, with the inbox's {@code manifest.csv} lookup; its
 * error note goes to {@code .error/<path>.error.txt}.
 */
public final class DropFolderSource {

    private static final Logger LOG = LoggerFactory.getLogger(DropFolderSource.class);

    /** The name of the folder, under the inbox, that receives failed files and their notes. */
    private final String errorFolder;
    /** The manifests of the inbox, made on first use from the endpoint's folder (one cache for every file). */
    private FolderManifests manifests;

    public DropFolderSource(String errorFolder) {
        this.errorFolder = errorFolder;
    }

    /** The file as an input of the pipeline; null, and the route stopped, when the file has left the inbox meanwhile. */
    public Incoming describe(Exchange exchange) {
        @SuppressWarnings("unchecked")
        GenericFile<File> file = exchange.getIn().getBody(GenericFile.class);
        Path inbox = Path.of(file.getEndpointPath()).toAbsolutePath().normalize();
        String relative = file.getRelativeFilePath().replace(File.separatorChar, '/');
        if (!Files.exists(Path.of(file.getAbsoluteFilePath()))) {
            // another instance delivered it (it took the claim over while this one was stalled), or someone removed it:
            // nothing to read and nothing failed
            LOG.info("{} left the inbox before it was read (delivered by another instance, or removed)", NameRules.printable(relative));
            exchange.setRouteStop(true);
            return null;
        }
        Path note = inbox.resolve(errorFolder).resolve(relative + ".error.txt");
        Incoming incoming = new Incoming(new FileMediaSource(Path.of(file.getAbsoluteFilePath())), relative, "folder",
                manifests(inbox), text -> {
            Files.createDirectories(note.getParent());
            Files.writeString(note, text, StandardCharsets.UTF_8);
        });
        exchange.setProperty(IngestPipeline.INCOMING, incoming);
        return incoming;
    }

    /** The manifests rooted at the inbox; made again only if the endpoint's folder changed (a route edit). */
    private synchronized FolderManifests manifests(Path inbox) {
        if (manifests == null || !manifests.root().equals(inbox)) {
            manifests = new FolderManifests(inbox);
        }
        return manifests;
    }
}
