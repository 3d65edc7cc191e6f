-- Identifiers copied from paper or legacy sheets are evidence even when mistyped (interchange
-- spec, last paragraph): an invalid NIK, phone, sponsor phone or previous passport number is
-- stored exactly as written in its own column, and its flag here says it is not valid.
-- Every application stored before this migration passed validation, hence the default.
alter table applications add column nik_valid boolean not null default true;
alter table applications add column phone_valid boolean not null default true;
alter table applications add column sponsor_phone_valid boolean not null default true;
alter table applications add column previous_passport_no_valid boolean not null default true;
