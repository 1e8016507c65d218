-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0008_danvan_webhooks.sql.
--
-- The signature of a body under a secret, as sent in X-Kheo-Signature ("sha256=<hex>").
CREATE OR REPLACE FUNCTION danvan.webhook_signature(body text, secret text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'sha256=' || encode(public.hmac(convert_to(body, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'), 'hex')
$$;
