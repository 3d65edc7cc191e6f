-- Partner data (issue 15): dated snapshots of SISKOP2MI's CPMI registrations, the licensed P3MI
-- list and BP3MI's returns/deportations of undocumented workers. Every import is a new
-- snapshot written whole in one transaction; older snapshots stay as the status history.
create table partner_snapshots (
    id bigint primary key,
    kind text not null check (kind in ('cpmi', 'p3mi', 'deportations')),
    taken_on text not null,
    source text not null,
    record_count bigint not null,
    imported_by text not null,
    imported_at text not null,
    change_seq bigint not null
);
create index partner_snapshots_kind on partner_snapshots (kind, taken_on);
create table cpmi_records (
    snapshot_id bigint not null references partner_snapshots (id),
    row_no bigint not null,
    cpmi_id text not null,
    nik text,
    full_name text not null,
    birth_date text,
    sex text,
    destination_country text,
    p3mi_name text,
    employer text,
    job_title text,
    placement_scheme text,
    status text not null,
    recommendation_no text,
    recommendation_date text,
    updated_on text,
    primary key (snapshot_id, row_no)
);
create index cpmi_records_cpmi_id on cpmi_records (cpmi_id);
create table p3mi_licences (
    snapshot_id bigint not null references partner_snapshots (id),
    row_no bigint not null,
    p3mi_name text not null,
    licence_no text,
    valid_until text,
    primary key (snapshot_id, row_no)
);
create table deportation_records (
    snapshot_id bigint not null references partner_snapshots (id),
    row_no bigint not null,
    nik text,
    full_name text not null,
    birth_date text,
    sex text,
    country text,
    kind text not null,
    event_date text,
    reference text,
    primary key (snapshot_id, row_no)
);
