-- Referrals to the cross-agency forum and protected persons (issue 15 items 5 and 6).
-- A referral names the case (an application, or a person through one of its applications),
-- the receiving agency, purpose, legal basis and the fields shared; its history is
-- `referral_events` (the first event is its sending). A protection marks a recorded
-- trafficking victim's person, anchored on one application; lifting it keeps the row.
create table referrals (
    id bigint primary key,
    letter_no text not null unique,
    office_code text not null,
    subject_kind text not null check (subject_kind in ('application', 'person')),
    person_id text,
    application_key bigint not null,
    agency text not null,
    purpose text not null,
    legal_basis text not null,
    fields text not null,
    due_on text,
    status text not null,
    created_by text not null,
    created_at text not null,
    change_seq bigint not null
);
create index referrals_office on referrals (office_code, status);
create index referrals_application on referrals (application_key);
create table referral_events (
    id bigint primary key,
    referral_id bigint not null references referrals (id),
    status text not null,
    note text,
    due_on text,
    by_user text not null,
    at text not null
);
create index referral_events_referral on referral_events (referral_id, id);
create table protected_persons (
    id bigint primary key,
    application_key bigint not null,
    reason text not null,
    marked_by text not null,
    marked_at text not null,
    lifted_by text,
    lifted_at text,
    lift_reason text,
    change_seq bigint not null
);
create index protected_persons_application on protected_persons (application_key);
