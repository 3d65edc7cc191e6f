-- Signed anchors of the audit chain (issue 20): now and then the chain's head (sequence
-- number and hash) is signed with an Ed25519 key the register does not hold, so a chain
-- rewritten with recomputed hashes no longer reaches the signed heads. Each anchor also
-- signs the previous anchor's signature, so one taken out of the middle is noticed.
-- Append-only, like audit_events.
create table audit_anchors (
    n bigint primary key,
    seq bigint not null,
    hash text not null,
    at text not null,
    public_key text not null,
    prev_signature text not null,
    signature text not null
);

create function audit_anchors_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_anchors is append-only';
end;
$$;

create trigger audit_anchors_no_update before update or delete on audit_anchors
    for each row execute function audit_anchors_append_only();

create trigger audit_anchors_no_truncate before truncate on audit_anchors
    for each statement execute function audit_anchors_append_only();
