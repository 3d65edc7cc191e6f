-- Partner exchange (issue 15): each partner's configuration (its public key, a reference to
-- our signing key, its base URL, the purpose and legal basis of the exchange) with where each
-- direction stands, and the batch log. Outbound batches keep their data file so a batch is
-- re-sent byte for byte; an inbound batch's records are the partner snapshot it became.
create table exchange_partners (
    name text primary key,
    display_name text not null,
    public_key text not null,
    signing_key_ref text not null,
    base_url text,
    purpose text not null,
    legal_basis text not null,
    last_sent_seq bigint not null,
    last_acknowledged_seq bigint not null,
    last_received_seq bigint not null,
    created_at text not null,
    change_seq bigint not null
);
create table exchange_batches (
    partner text not null references exchange_partners (name),
    direction text not null check (direction in ('inbound', 'outbound')),
    sequence bigint not null,
    data_sha256 text not null,
    record_count bigint not null,
    covers_to bigint,
    manifest text not null,
    data text,
    snapshot_id bigint references partner_snapshots (id),
    recorded_at text not null,
    acknowledged_at text,
    change_seq bigint not null,
    primary key (partner, direction, sequence)
);
