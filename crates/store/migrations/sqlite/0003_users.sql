-- People and systems that use the register: users with Argon2id password hashes, login
-- sessions and API tokens. Secrets are never stored: sessions and tokens only by their
-- SHA-256 hash. Timestamps are RFC 3339 UTC text; `active` is 1 or 0.

create table users (
    username text primary key,
    display_name text not null,
    role text not null,
    office_code text not null references offices (code),
    password_hash text not null,
    active bigint not null check (active in (0, 1)),
    failed_logins bigint not null,
    locked_until text,
    created_at text not null,
    password_changed_at text not null
);

create table sessions (
    token_hash text primary key,
    username text not null references users (username),
    csrf_token text not null,
    client_addr text,
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null
);
create index sessions_username on sessions (username);

create table api_tokens (
    name text primary key,
    token_hash text not null unique,
    role text not null,
    scopes text not null,
    office_code text not null references offices (code),
    created_by text not null,
    created_at text not null,
    revoked_at text,
    last_used_at text
);
