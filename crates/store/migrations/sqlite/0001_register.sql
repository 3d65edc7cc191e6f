-- The shared register: offices, applications, the decision history, the change counter and
-- the append-only audit log. Dates are ISO text (YYYY-MM-DD), timestamps RFC 3339 UTC text.

create table seq_counter (
    id integer primary key check (id = 1),
    value bigint not null
);
insert into seq_counter (id, value) values (1, 0);

create table offices (
    code text primary key,
    name text not null,
    work_area text not null
);

create table applications (
    id bigint primary key,
    office_code text not null references offices (code),
    application_id text not null,
    applied_on text not null,
    full_name text not null,
    nik text,
    sex text,
    birth_date text,
    birth_place text,
    address text,
    village_code text,
    phone text,
    mother_name text,
    father_name text,
    occupation text,
    purpose text,
    destination_country text,
    previous_passport_no text,
    sponsor_name text,
    sponsor_phone text,
    cpmi_id text,
    outcome text not null,
    outcome_reason text,
    decided_on text,
    source_hash text,
    version bigint not null,
    change_seq bigint not null,
    unique (office_code, application_id)
);
create index applications_change_seq on applications (change_seq);
create index applications_nik on applications (nik);
create index applications_phone on applications (phone);
create index applications_passport on applications (previous_passport_no);
create index applications_applied_on on applications (applied_on);

create table decisions (
    id bigint primary key,
    application_key bigint not null references applications (id),
    kind text not null,
    decided_on text not null,
    deferral_until text,
    reason_codes text not null,
    reason_text text,
    officer text,
    change_seq bigint not null
);
create index decisions_application on decisions (application_key);
create index decisions_change_seq on decisions (change_seq);

create table audit_events (
    seq bigint primary key,
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

create trigger audit_events_no_update before update on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;

create trigger audit_events_no_delete before delete on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;

-- The three pilot offices of Kanwil Lampung and their work areas (DOMAIN.md §5.2), so a
-- fresh register accepts their spreadsheets at once. `jejak office add` changes or adds more.
insert into offices (code, name, work_area) values
    ('BDL', 'Kantor Imigrasi Kelas I TPI Bandar Lampung', '1871,1872,1802,1806,1809,1810'),
    ('KLA', 'Kantor Imigrasi Kelas II Non TPI Kalianda', '1801,1807'),
    ('KTB', 'Kantor Imigrasi Kelas II Non TPI Kotabumi', '1803,1804,1805,1808,1811,1812,1813');
