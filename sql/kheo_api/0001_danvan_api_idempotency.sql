-- Idempotency keys of the HTTP API: the first response to a POST with a given
-- `Idempotency-Key` (per token), stored in the transaction that did the work, so the
-- same request sent again, even concurrently, gets that response back and creates
-- nothing twice. `request_hash` tells a reuse of the key for another body.
CREATE TABLE danvan.api_idempotency_keys (
    token_id     bigint NOT NULL REFERENCES danvan.api_tokens (id),
    key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer,
    response     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

CREATE INDEX api_idempotency_keys_age ON danvan.api_idempotency_keys (created_at);
