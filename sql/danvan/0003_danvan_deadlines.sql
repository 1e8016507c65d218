-- Deadlines that units are chased for, the notifications that chase them (each unit's
-- inbox), and the domain's clock, which a demo or a test can set to simulate time.

CREATE TYPE danvan.deadline_kind AS ENUM (
    'registration_closing', 'six_month_review', 'annual_summary', 'stage_summary', 'remedy', 'evaluation', 'other'
);

CREATE TYPE danvan.deadline_status AS ENUM ('open', 'met', 'withdrawn', 'overdue');

CREATE TABLE danvan.deadlines (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES danvan.units (id),
    kind         danvan.deadline_kind NOT NULL,
    title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500 AND title = normalize(title, NFC)),
    due_on       date NOT NULL,
    status       danvan.deadline_status NOT NULL DEFAULT 'open',
    met_on       date,
    withdrawn_at timestamptz,
    escalated_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'met') = (met_on IS NOT NULL)),
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);

-- The scan reads only open deadlines, by due date.
CREATE INDEX deadlines_open ON danvan.deadlines (due_on) WHERE status = 'open';
CREATE INDEX deadlines_unit ON danvan.deadlines (unit_id, due_on);

-- A unit's inbox. dedupe_key makes each reminder or escalation land once, however
-- often its job is retried or raced.
CREATE TABLE danvan.notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    kind        text NOT NULL,
    title       text NOT NULL CHECK (title = normalize(title, NFC)),
    body        text NOT NULL CHECK (body = normalize(body, NFC)),
    deadline_id bigint REFERENCES danvan.deadlines (id),
    dedupe_key  text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);

CREATE INDEX notifications_inbox ON danvan.notifications (unit_id, id DESC);

-- The domain's "now": the real time, unless a demo or a test has set a simulated one.
CREATE TABLE danvan.simulated_clock (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    now       timestamptz NOT NULL
);

CREATE FUNCTION danvan.now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT c.now FROM danvan.simulated_clock AS c), now())
$$;

-- Today on Vietnam's wall clock, by the domain's clock.
CREATE FUNCTION danvan.today() RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT (danvan.now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;
