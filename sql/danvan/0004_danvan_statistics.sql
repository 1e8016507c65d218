-- Periods and the published statistics. A regeneration builds a whole new snapshot
-- and switches `current_statistics` to it in one transaction, so a reader (one
-- statement through the pointer) sees the old figures or the new ones, never a mix.

CREATE TYPE danvan.period_kind AS ENUM ('six_month', 'year', 'stage');

CREATE TABLE danvan.periods (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      danvan.period_kind NOT NULL,
    name      text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200 AND name = normalize(name, NFC)),
    starts_on date NOT NULL,
    ends_on   date NOT NULL,
    UNIQUE (kind, starts_on, ends_on),
    CHECK (starts_on <= ends_on)
);

CREATE TABLE danvan.statistics_snapshots (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    generated_at timestamptz NOT NULL DEFAULT now(),
    -- The domain's clock when it was built (danvan.now()).
    as_of        timestamptz NOT NULL
);

CREATE TABLE danvan.current_statistics (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    snapshot_id bigint NOT NULL REFERENCES danvan.statistics_snapshots (id)
);

-- Figures per unit (its whole subtree), period and field; field 'all' sums the four.
CREATE TABLE danvan.statistics (
    snapshot_id       bigint NOT NULL REFERENCES danvan.statistics_snapshots (id) ON DELETE CASCADE,
    unit_id           bigint NOT NULL,
    period_id         bigint NOT NULL,
    field             text NOT NULL CHECK (field IN ('all', 'economy', 'culture_society', 'defence_security', 'political_system')),
    models_registered integer NOT NULL DEFAULT 0,
    models_recognised integer NOT NULL DEFAULT 0,
    models_commended  integer NOT NULL DEFAULT 0,
    collective        integer NOT NULL DEFAULT 0,
    individual        integer NOT NULL DEFAULT 0,
    deadlines_met     integer NOT NULL DEFAULT 0,
    deadlines_overdue integer NOT NULL DEFAULT 0,
    PRIMARY KEY (snapshot_id, unit_id, period_id, field)
);
