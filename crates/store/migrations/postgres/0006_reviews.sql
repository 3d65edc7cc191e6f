-- Supervisor review of decisions an officer may not take alone (issuing despite a high risk
-- band or a failed hard check). Approval records the decision in the same transaction.
create table review_requests (
    id bigint primary key,
    application_key bigint not null references applications (id),
    kind text not null,
    decided_on text not null,
    deferral_until text,
    reason_codes text not null,
    reason_text text,
    expected_version bigint not null,
    grounds text not null,
    requested_by text not null,
    requested_at text not null,
    status text not null check (status in ('pending', 'approved', 'refused')),
    reviewed_by text,
    reviewed_at text,
    review_note text,
    change_seq bigint not null
);
create index review_requests_application on review_requests (application_key);
create index review_requests_status on review_requests (status);
create index applications_office_outcome on applications (office_code, outcome, applied_on);
