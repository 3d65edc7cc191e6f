-- Administration in the browser (issue 20): an API token may end at a stated time
-- (RFC 3339 UTC text; null: until revoked).
alter table api_tokens add column expires_at text;
