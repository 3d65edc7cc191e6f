-- Rule-set versions and the assessments made with them (issue 4 item 5). A rule set moves
-- draft -> published (by someone other than the author) -> active -> retired; exactly one
-- is active at a time. Each version keeps the full text of its files, so an old assessment
-- can always be explained by the rules that produced it.

create table rule_sets (
    id bigint primary key,
    version text not null unique,
    name text not null,
    digest text not null,
    -- JSON array of {"path": ..., "text": ...}, the header file first.
    files text not null,
    status text not null check (status in ('draft', 'published', 'active', 'retired')),
    author text not null,
    publisher text,
    created_at text not null,
    published_at text,
    activated_at text,
    change_seq bigint not null
);
-- At most one active rule set, enforced by the database as well as by `activate`.
create unique index rule_sets_one_active on rule_sets (status) where status = 'active';

-- The advisory assessment an application was given, with the rule set that produced it.
-- `rule_set_version` has no foreign key: the built-in catalogue is not a stored version; the
-- digest identifies the rule content either way.
create table assessments (
    id bigint primary key,
    application_key bigint not null references applications (id),
    rule_set_version text not null,
    digest text not null,
    score bigint not null,
    band text not null,
    -- JSON array of {"id": ..., "weight": ...}
    fired_indicators text not null,
    -- JSON array of rule ids
    failed_hard_checks text not null,
    assessed_at text not null,
    assessed_by text not null,
    change_seq bigint not null
);
create index assessments_application on assessments (application_key);
create index assessments_change_seq on assessments (change_seq);
