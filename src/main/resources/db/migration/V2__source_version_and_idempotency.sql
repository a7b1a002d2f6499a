-- The source's own version of a photo's bytes (an S3 ETag), so an object is recognised by key and ETag.
alter table photo add column source_version varchar(256);

-- Camel's JdbcMessageIdRepository (camel-sql): objects already taken from a source, by processor.
-- messageId is wider than camel-sql's default because it holds an S3 key and its ETag.
create table camel_messageprocessed (
    processorname varchar(255)  not null,
    messageid     varchar(1200) not null,
    createdat     timestamp     not null,
    constraint pk_camel_messageprocessed primary key (processorname, messageid)
);
