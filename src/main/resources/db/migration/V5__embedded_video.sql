-- A motion photo carries a video after its picture: where it is in the photo's bytes (offset and length), so the
-- video stays with the photo's record and can be cut out of the stored file.
alter table photo add column embedded_video_offset bigint;
alter table photo add column embedded_video_length bigint;
