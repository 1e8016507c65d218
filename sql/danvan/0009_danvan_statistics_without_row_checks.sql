-- The statistics rows no longer check their snapshot row by row: on a province of a
-- few thousand models that check cost as much as computing the figures. The only
-- writer, StatisticsBuilder, writes a snapshot's rows in the transaction that creates
-- it and deletes them with it.
ALTER TABLE danvan.statistics DROP CONSTRAINT statistics_snapshot_id_fkey;
