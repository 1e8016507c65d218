-- Inspection plans (kế hoạch kiểm tra), their delegations and members, and the visits
-- the scheduler computes. A plan is scheduled whole or rejected whole: its visits are
-- written in the same transaction that marks it scheduled.

CREATE TYPE danvan.plan_status AS ENUM ('submitted', 'scheduled', 'rejected');

CREATE TABLE danvan.inspection_plans (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuing_unit_id    bigint NOT NULL REFERENCES danvan.units (id),
    title              text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500 AND title = normalize(title, NFC)),
    first_day          date NOT NULL,
    last_day           date NOT NULL,
    slots              text[] NOT NULL CHECK (slots <@ '{morning,afternoon}' AND cardinality(slots) > 0),
    visits_per_day     integer NOT NULL CHECK (visits_per_day BETWEEN 1 AND 2),
    -- [{"name": …, "first": "yyyy-mm-dd", "last": "yyyy-mm-dd"}]
    holidays           jsonb NOT NULL DEFAULT '[]',
    targets            bigint[] NOT NULL,
    remedy_days        integer NOT NULL DEFAULT 30 CHECK (remedy_days BETWEEN 1 AND 365),
    status             danvan.plan_status NOT NULL DEFAULT 'submitted',
    rejection          text,
    submitted_at       timestamptz NOT NULL DEFAULT now(),
    scheduled_at       timestamptz,
    CHECK (first_day <= last_day),
    CHECK ((status = 'rejected') = (rejection IS NOT NULL))
);

CREATE TABLE danvan.delegations (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL REFERENCES danvan.inspection_plans (id),
    name    text NOT NULL CHECK (name = normalize(name, NFC)),
    leader  text NOT NULL CHECK (leader = normalize(leader, NFC)),
    UNIQUE (plan_id, name)
);

CREATE TABLE danvan.delegation_members (
    delegation_id bigint NOT NULL REFERENCES danvan.delegations (id),
    name          text NOT NULL CHECK (name = normalize(name, NFC)),
    PRIMARY KEY (delegation_id, name)
);

CREATE TABLE danvan.inspection_visits (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         bigint NOT NULL REFERENCES danvan.inspection_plans (id),
    delegation_id   bigint NOT NULL REFERENCES danvan.delegations (id),
    unit_id         bigint NOT NULL REFERENCES danvan.units (id),
    visit_on        date NOT NULL,
    slot            text NOT NULL CHECK (slot IN ('morning', 'afternoon')),
    findings        text,
    recommendations text,
    done_at         timestamptz,
    remedy_deadline_id bigint REFERENCES danvan.deadlines (id),
    -- The scheduler's rules, held by the database too.
    UNIQUE (plan_id, unit_id),
    UNIQUE (delegation_id, visit_on, slot)
);

CREATE INDEX inspection_visits_unit ON danvan.inspection_visits (unit_id, visit_on);
