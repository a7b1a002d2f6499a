-- A RecoveryConnect transfer call that was sent but has no definite outcome recorded yet (no answer, a 5xx, or the process
-- stopped or died while it waited): a request carried out again (a transfer file read after a restart, or put back) looks
-- in the destinations for copies before it sends such a call a second time. A row lives from the send until the answer
-- (or the give-up) is recorded. The same SQL on H2 and PostgreSQL.

create table transfer_call_sent (
    request_id varchar(64) not null,
    -- the attachment id of a one-photo call; 0 for a whole-order call
    photo_key  bigint      not null,
    sent_at    timestamp with time zone not null,
    primary key (request_id, photo_key)
);
