-- Sessions of the web console. Signing in exchanges an API token for a session: the
-- browser keeps a random secret in an HttpOnly cookie, the database its SHA-256 only
-- (as for tokens), with the token it came from. A session is valid while it has not
-- ended or expired AND its token is not revoked: every lookup joins the token, so
-- revoking a token ends its sessions at once, as it stops the token itself.
-- `csrf_token` is the session's synchronizer token: every form the console renders
-- carries it and every POST must send it back.
CREATE TABLE danvan.console_sessions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_hash bytea NOT NULL UNIQUE CHECK (octet_length(secret_hash) = 32),
    csrf_token  text NOT NULL CHECK (char_length(csrf_token) BETWEEN 32 AND 100),
    token_id    bigint NOT NULL REFERENCES danvan.api_tokens (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz
);

CREATE INDEX console_sessions_token ON danvan.console_sessions (token_id);
-- Sessions that ended or expired are deleted a day later (`ConsoleSessions.prune`).
CREATE INDEX console_sessions_expiry ON danvan.console_sessions (expires_at);

COMMENT ON TABLE danvan.console_sessions IS 'Web console sign-ins: a cookie secret''s hash, its CSRF token, the API token it acts as.';
