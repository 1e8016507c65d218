-- The published figures are one row per unit, period and field, kept up to date in
-- place. Each night the records are counted per unit of their own (stored in
-- `statistics_own`), compared with last night's counts, and only the differences are
-- added to the figures of the units they count for: a night of the demo's province
-- touches a few hundred of its 2,574 figures. Before, every night wrote a whole new
-- copy and deleted the old one, which left 137 MB of dead rows for 2,574 live ones
-- after the demo's year and made every reader slower. `current_statistics` still names
-- the snapshot (its id, when and from what it was built); the rows no longer carry it,
-- since there is only ever the current one.
DELETE FROM danvan.statistics
WHERE snapshot_id IS DISTINCT FROM (SELECT snapshot_id FROM danvan.current_statistics);
ALTER TABLE danvan.statistics DROP CONSTRAINT statistics_pkey;
ALTER TABLE danvan.statistics DROP COLUMN snapshot_id;
ALTER TABLE danvan.statistics ADD PRIMARY KEY (unit_id, period_id, field);
-- How many per-unit rows a figure adds up: at zero it is deleted, as a rebuild would
-- not write it. Existing rows get theirs when the next regeneration rebuilds them
-- (their snapshot has no `base`, below).
ALTER TABLE danvan.statistics ADD COLUMN sources integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN danvan.statistics.sources IS 'rows of statistics_own this figure adds up; deleted at zero';
-- Room on each page for a changed row's new version, so an update stays on its page
-- and touches no index (a HOT update: no figure is indexed).
ALTER TABLE danvan.statistics SET (fillfactor = 80);

-- Each unit's own records per period and field ('all' for records without a field),
-- as counted at the last regeneration.
CREATE TABLE danvan.statistics_own (
    unit_id                bigint NOT NULL,
    period_id              bigint NOT NULL,
    field                  text NOT NULL,
    models_registered      integer NOT NULL,
    models_recognised      integer NOT NULL,
    models_commended       integer NOT NULL,
    collective             integer NOT NULL,
    individual             integer NOT NULL,
    deadlines_met          integer NOT NULL,
    deadlines_met_late     integer NOT NULL,
    deadlines_overdue      integer NOT NULL,
    conferences            integer NOT NULL,
    conference_attendees   integer NOT NULL,
    trainings              integer NOT NULL,
    training_participants  integer NOT NULL,
    documents_issued       integer NOT NULL,
    inspections_planned    integer NOT NULL,
    inspections_done       integer NOT NULL,
    oversights             bigint NOT NULL,
    organisations_overseen bigint NOT NULL,
    party_members_overseen bigint NOT NULL,
    PRIMARY KEY (unit_id, period_id, field)
) WITH (fillfactor = 80);

-- What the differences are rolled up through: the roll-up's revision, the tree's
-- version and the periods. While they stay the same, last night's figures plus
-- tonight's differences are tonight's figures; when one changes, the next
-- regeneration rebuilds from nothing.
ALTER TABLE danvan.statistics_snapshots ADD COLUMN base text;

-- Small tables that change a few rows a year never reach autovacuum's default
-- threshold for ANALYZE (50 changed rows), so the planner took the never-analysed
-- periods table for 920 rows instead of 3 and counting the records took 40 ms instead
-- of 6. One changed row is enough to look again.
ALTER TABLE danvan.periods SET (autovacuum_analyze_threshold = 1);
ALTER TABLE danvan.campaigns SET (autovacuum_analyze_threshold = 1);
ALTER TABLE danvan.cluster_members SET (autovacuum_analyze_threshold = 1);
