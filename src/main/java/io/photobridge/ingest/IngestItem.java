package io.photobridge.ingest;

import io.photobridge.records.PhotoRecord;

/** A media item on its way through the ingest pipeline; each step fills in more. */
public record IngestItem(Incoming incoming, NameRules.Identity identity, Inspection inspection, PhotoRecord record) {

    IngestItem withInspection(Inspection value) {
        return new IngestItem(incoming, identity, value, record);
    }

    IngestItem withRecord(PhotoRecord value) {
        return new IngestItem(incoming, identity, inspection, value);
    }
}
