-- Claims on inputs when several instances share the ledger (LedgerClaims): a row of camel_messageprocessed is now either a
-- claim in flight, held by the instance named in claimed_by and refreshed by it while it works, or (claimed_by null) an
-- input done for good, as every row written before this version. A claim its holder stopped refreshing (a kill -9'd
-- instance) is taken over by another instance. The drop folder's read lock (processor ingest-drop-folder) removes its rows
-- once a file has left the inbox; the S3 source (ingest-s3) keeps its rows as the record of objects taken.
alter table camel_messageprocessed add column claimed_by varchar(64);
