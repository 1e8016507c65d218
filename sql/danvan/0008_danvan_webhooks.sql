-- Webhooks: a unit may have an endpoint that receives each notification of its inbox,
-- POSTed as JSON and signed with HMAC-SHA256 over the exact body (pgcrypto's hmac, so
-- the signature is computed by a vetted implementation). Each delivery is recorded
-- with its attempts until it is delivered or given up.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

CREATE TABLE danvan.webhooks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    bigint NOT NULL UNIQUE REFERENCES danvan.units (id),
    url        text NOT NULL CHECK (url ~ '^https?://[^[:space:]]+$' AND char_length(url) <= 2000),
    -- The shared secret of the signature. Never logged, never returned by an API.
    secret     text NOT NULL CHECK (char_length(secret) BETWEEN 16 AND 200),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE danvan.delivery_status AS ENUM ('pending', 'delivered', 'given_up');

CREATE TABLE danvan.webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES danvan.notifications (id),
    webhook_id      bigint NOT NULL REFERENCES danvan.webhooks (id),
    status          danvan.delivery_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    last_attempt_at timestamptz,
    delivered_at    timestamptz,
    UNIQUE (notification_id, webhook_id)
);

-- The signature of a body under a secret, as sent in X-Kheo-Signature ("sha256=<hex>").
CREATE FUNCTION danvan.webhook_signature(body text, secret text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'sha256=' || encode(public.hmac(convert_to(body, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'), 'hex')
$$;
