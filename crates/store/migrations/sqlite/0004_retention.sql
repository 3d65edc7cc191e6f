-- Retention (UU PDP Art. 16 and the jadwal retensi arsip, DOMAIN.md §8): legal holds that stop
-- retention for an application or for everyone with a NIK, and what retention did to each
-- application (the row stays so a later run does not act twice, and statistics keep the age).

create table legal_holds (
    id bigint primary key,
    application_key bigint,
    nik text,
    reason text not null,
    placed_by text not null,
    placed_at text not null,
    lifted_by text,
    lifted_at text,
    lift_reason text,
    change_seq bigint not null,
    check (application_key is not null or nik is not null)
);
create index legal_holds_application on legal_holds (application_key);
create index legal_holds_nik on legal_holds (nik);

create table retention_actions (
    application_key bigint primary key,
    action text not null,
    record_type text not null,
    expired_on text not null,
    as_of text not null,
    done_at text not null,
    age_at_application bigint,
    change_seq bigint not null
);
