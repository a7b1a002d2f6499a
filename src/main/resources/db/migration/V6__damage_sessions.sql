-- Every Inspektlabs session (inspection id) PhotoBridge opens for a damage job, recorded before its upload is sent, so that
-- a report for it is always linked to its job, and an upload whose answer was lost waits for that report before it is sent
-- again. The same SQL on H2 and PostgreSQL.

create table damage_session (
    session         varchar(256) not null primary key,
    job_id          bigint       not null references damage_job (id),
    state           varchar(16)  not null,
    opened_at       timestamp with time zone not null,
    answer_lost_at  timestamp with time zone,
    updated_at      timestamp with time zone not null
);

create index ix_damage_session_job on damage_session (job_id);

-- While one thread sends a job's batch, no other may (a batch recovered from the aggregation repository while its first
-- delivery still runs): the sender holds the job until this time, past which a crashed sender's claim is void.
alter table damage_job add column sending_until timestamp with time zone;
