-- The domain's clock for the demo and the tests: while this table holds its one row,
-- danvan.now() (functions/now.sql) answers that instant instead of the real time, so a
-- year of deadlines and nightly statistics can run in a minute. Production databases
-- do not have this line: there danvan.now() is now() (sql/danvan/0024).
--
-- IF NOT EXISTS: nothing before danvan 0024 dropped the table, so a database migrated
-- before this line existed may still hold it, row and all.
CREATE TABLE IF NOT EXISTS danvan.simulated_clock (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    now       timestamptz NOT NULL
);
