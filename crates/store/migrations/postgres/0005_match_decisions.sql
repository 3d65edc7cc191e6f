-- Officers' verdicts on candidate pairs (issue 3 item 5): confirm = the same person, reject =
-- never the same person. Append-only history: a later row on the same pair (higher change_seq)
-- supersedes the earlier ones, which stay for the record. The pair is stored ordered.

create table match_decisions (
    id bigint primary key,
    application_a bigint not null references applications (id),
    application_b bigint not null references applications (id),
    verdict text not null check (verdict in ('confirm', 'reject')),
    officer text not null,
    office_code text,
    reason text not null,
    decided_at text not null,
    change_seq bigint not null,
    check (application_a < application_b)
);
create index match_decisions_a on match_decisions (application_a);
create index match_decisions_b on match_decisions (application_b);
create index match_decisions_change_seq on match_decisions (change_seq);
