-- Bearer tokens for the HTTP API. A token acts for one unit and sees that unit's
-- subtree; its role says what it may do (viewer reads, editor also writes, admin also
-- administers queues). Only a SHA-256 of the token is kept, so a leaked table grants
-- nothing; `prefix` (the token's first characters) lets people tell tokens apart.
CREATE TYPE danvan.api_role AS ENUM ('viewer', 'editor', 'admin');

CREATE TABLE danvan.api_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    prefix      text NOT NULL,
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    role        danvan.api_role NOT NULL,
    label       text NOT NULL DEFAULT '' CHECK (char_length(label) <= 200 AND label = normalize(label, NFC)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
