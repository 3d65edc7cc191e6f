-- The register's identity (issue 18): a random id drawn once, when the register is created,
-- so derived state saved by a server (the match index snapshot) is only ever used with the
-- register it was built from. One row; a copy made by backup keeps it, like the change
-- sequence it goes with.
create table register_identity (
    only_row integer primary key check (only_row = 1),
    id text not null
);

insert into register_identity (only_row, id) values (1, lower(hex(randomblob(16))));
