-- When a photo was queued for damage analysis. The queue row itself is deleted once the photo is in a batch, so this
-- column is what says "queued" for good: a photo recorded by a run that died before queueing it (kill -9, power loss) is
-- queued when its file is ingested again, and a photo queued before is never queued twice. Rows written before this column
-- existed count as queued (they were queued when first recorded, as analysis was then set) and read 1970-01-01: a default
-- given with the column fills them without rewriting the table (PostgreSQL 11+), then new rows get none. The same SQL on
-- H2 and PostgreSQL.
alter table photo add column damage_queued_at timestamp with time zone default timestamp with time zone '1970-01-01 00:00:00+00';

alter table photo alter column damage_queued_at drop default;
