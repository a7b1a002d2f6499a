-- A photo whose upload may have reached RecoveryConnect without a confirmation (no answer, a 5xx, an aborted exchange):
-- before any re-send it is looked up in the order's photo list by its hash tag. Only a definite refusal (a 4xx answer to the
-- upload) clears it. Rows written before this column existed are assumed unconfirmed once an upload was tried.
-- The same SQL on H2 and PostgreSQL.
alter table photo add column rc_unconfirmed boolean default false not null;

update photo set rc_unconfirmed = true where state in ('FAILED', 'UPLOADING') and attempts > 0;
