-- When a photo was queued for damage analysis. The queue row itself is deleted once the photo is in a batch, so this
-- column is what says "queued" for good: a photo recorded by a run that died before queueing it (kill -9, power loss) is
-- queued when its file is ingested again, and a photo queued before is never queued twice. Rows written before this column
-- existed are assumed queued (they were queued when first recorded, as analysis was then set). The same SQL on H2 and
-- PostgreSQL.
alter table photo add column damage_queued_at timestamp with time zone;

update photo set damage_queued_at = created_at;
