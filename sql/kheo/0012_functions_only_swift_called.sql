-- Functions only kheo's Swift code called are now statements of their own
-- (JobSQL.promoteDue, Pruner.pruneBatch, Maintainer.claim and .resign, Rescuer.rescue), so a change to one
-- is a change to its Swift file, not a function re-created whole in a new migration.
-- The functions stay until the next release: workers of kheo 0.2 still call them
-- during a rolling upgrade (deploy/README.md, "Upgrading"). Functions that other
-- languages call (kheo.enqueue, kheo.unique_key) live in sql/kheo/functions/.
COMMENT ON FUNCTION kheo.promote_due_jobs(integer) IS
    'Unused since kheo 0.3 (workers run the statement JobSQL.promoteDue); kept for 0.2 workers during a rolling upgrade, dropped in the next release.';
COMMENT ON FUNCTION kheo.prune_jobs(kheo.job_state, interval, integer) IS
    'Unused since kheo 0.3 (Pruner runs its own statement); kept for 0.2 workers during a rolling upgrade, dropped in the next release.';
COMMENT ON FUNCTION kheo.claim_leadership(text, uuid, interval) IS
    'Unused since kheo 0.3 (Maintainer runs its own statement); kept for 0.2 workers during a rolling upgrade, dropped in the next release.';
COMMENT ON FUNCTION kheo.resign_leadership(text, uuid) IS
    'Unused since kheo 0.3 (Maintainer runs its own statement); kept for 0.2 workers during a rolling upgrade, dropped in the next release.';
COMMENT ON FUNCTION kheo.rescue_expired_jobs(integer) IS
    'Unused since kheo 0.3 (Rescuer runs its own statement, with the retry policy''s backoff); kept for 0.2 workers during a rolling upgrade, dropped in the next release.';
