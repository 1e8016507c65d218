-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0011_danvan_api_tokens_notify.sql.
--
-- Servers keep the principals of tokens they have checked for a few seconds, so a
-- request costs no round trip to authenticate. Any change to a token (revoked, its
-- role or unit changed, deleted) tells them at commit to forget what they keep, however
-- it was made: `kheo tokens revoke`, or an operator's UPDATE by hand.
CREATE OR REPLACE FUNCTION danvan.api_tokens_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kheo_api_tokens', '');
    RETURN NULL;
END
$$;
