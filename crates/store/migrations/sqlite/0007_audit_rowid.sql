-- In SQLite only `integer primary key` makes a column the table's rowid: the old
-- `seq bigint primary key` kept a second b-tree (a unique index on seq) beside the rowid
-- table, so every audit event was written twice and every commit touched both. The audit
-- log takes one event per screening, so this is on the hot path of the screening API.
-- The events are copied in order, unchanged (same seq, same hashes), and the append-only
-- triggers are put back on the new table.
create table audit_events_by_seq (
    seq integer primary key,
    at text not null,
    actor text not null,
    office_code text,
    purpose text,
    action text not null,
    entity text not null,
    entity_id text,
    details text not null,
    prev_hash text not null,
    hash text not null
);

insert into audit_events_by_seq
    (seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash)
select seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash
from audit_events
order by seq;

drop trigger audit_events_no_update;
drop trigger audit_events_no_delete;
drop table audit_events;
alter table audit_events_by_seq rename to audit_events;

create trigger audit_events_no_update before update on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;

create trigger audit_events_no_delete before delete on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;
