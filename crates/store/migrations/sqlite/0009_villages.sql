-- Village early warning (issue 14): designated villages (Desa Binaan) and their PIMPASA
-- assignments with periods, village reports (the informant in a table of its own), named
-- persons, phones and recruiters, follow-up history, the outreach log and Timpora operations.
create table villages (
    code text primary key,
    office_code text not null references offices (code),
    designated_on text not null,
    decree text,
    ends_on text,
    partners text not null,
    designated_by text not null,
    change_seq bigint not null
);
create table village_assignments (
    id bigint primary key,
    village_code text not null references villages (code),
    username text not null,
    from_on text not null,
    until_on text,
    change_seq bigint not null
);
create index village_assignments_user on village_assignments (username);
create table village_reports (
    report_id text primary key,
    village_code text not null,
    office_code text not null references offices (code),
    reported_on text not null,
    topic text not null,
    source_reliability text not null,
    info_credibility bigint not null,
    agency text,
    destination_country text,
    planned_departure_on text,
    narrative text not null,
    reported_by text not null,
    status text not null check (status in ('new', 'acknowledged', 'in_follow_up', 'confirmed', 'unfounded', 'closed')),
    filed_at text not null,
    acknowledged_at text,
    change_seq bigint not null
);
create index village_reports_change on village_reports (change_seq);
create index village_reports_office on village_reports (office_code, status);
create table village_report_sources (
    report_id text primary key references village_reports (report_id),
    source text not null
);
create table village_report_persons (
    report_id text not null references village_reports (report_id),
    position bigint not null,
    name text not null,
    birth_date text,
    nik text,
    relation text,
    primary key (report_id, position)
);
create table village_report_phones (
    report_id text not null references village_reports (report_id),
    position bigint not null,
    phone text not null,
    primary key (report_id, position)
);
create table village_report_recruiters (
    report_id text not null references village_reports (report_id),
    position bigint not null,
    name text not null,
    primary key (report_id, position)
);
create table village_report_status (
    id bigint primary key,
    report_id text not null references village_reports (report_id),
    status text not null,
    note text,
    by_user text not null,
    at text not null
);
create index village_report_status_report on village_report_status (report_id);
create table outreach_sessions (
    id bigint primary key,
    held_on text not null,
    village_code text not null,
    venue text,
    kind text not null,
    attendees_female bigint not null,
    attendees_male bigint not null,
    topics text not null,
    partners text not null,
    notes text,
    recorded_by text not null
);
create table timpora_operations (
    id bigint primary key,
    held_on text not null,
    area_code text not null,
    lead_office text not null references offices (code),
    agencies text not null,
    foreigners_checked bigint not null,
    violations text not null,
    persons_secured bigint not null,
    pmi_np_stopped bigint not null,
    notes text,
    recorded_by text not null
);
create table timpora_operation_reports (
    operation_id bigint not null references timpora_operations (id),
    report_id text not null references village_reports (report_id),
    primary key (operation_id, report_id)
);
