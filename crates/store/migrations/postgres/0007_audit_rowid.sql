-- Version 7 turns SQLite's audit table into a rowid table (see the SQLite migration).
-- PostgreSQL's `bigint primary key` is already the table's one index: nothing to change.
select 1;
