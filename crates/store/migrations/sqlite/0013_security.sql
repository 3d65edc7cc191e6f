-- Security state shared by every server on the register (issue 20, issue 18 item 4).
--
-- login_throttle: one counter row per client key (a username with the client's address, or
-- an address alone). A login attempt is counted by one upsert before its password is
-- checked, so attempts in flight count too and two servers share the count.
create table login_throttle (
    throttle_key text primary key,
    attempts bigint not null,
    window_start text not null,
    blocks bigint not null,
    blocked_until text
);

-- read_counts: reads of personal data per user and minute (bulk-read pattern, per-user
-- limit); reported marks the minute whose bulk read was written to the audit log.
create table read_counts (
    username text not null,
    minute text not null,
    reads bigint not null,
    reported bigint not null check (reported in (0, 1)),
    primary key (username, minute)
);

-- pending_uploads: checked import uploads waiting for their owner's confirmation, with
-- their expiry and size (capped per user and in total); any server may confirm.
create table pending_uploads (
    token text primary key,
    owner text not null,
    size_bytes bigint not null,
    created_at text not null,
    expires_at text not null
);
create index pending_uploads_owner on pending_uploads (owner);
create index pending_uploads_expires on pending_uploads (expires_at);
create table pending_upload_files (
    token text not null references pending_uploads (token),
    position bigint not null,
    name text not null,
    content blob not null,
    primary key (token, position)
);
