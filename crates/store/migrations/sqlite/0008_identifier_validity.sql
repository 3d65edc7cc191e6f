-- Identifiers copied from paper or legacy sheets are evidence even when mistyped (interchange
-- spec, last paragraph): an invalid NIK, phone, sponsor phone or previous passport number is
-- stored exactly as written in its own column, and its flag here says it is not valid.
-- Every application stored before this migration passed validation, hence the default.
alter table applications add column nik_valid integer not null default 1 check (nik_valid in (0, 1));
alter table applications add column phone_valid integer not null default 1 check (phone_valid in (0, 1));
alter table applications add column sponsor_phone_valid integer not null default 1 check (sponsor_phone_valid in (0, 1));
alter table applications add column previous_passport_no_valid integer not null default 1 check (previous_passport_no_valid in (0, 1));
