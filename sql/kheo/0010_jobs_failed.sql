-- Jobs that failed for good or were cancelled, by id: what operators list first
-- ("the latest failures", `kheo jobs list --state discarded`, the console's filter).
-- Without it such a listing walks the primary key backwards past every completed job
-- (80 ms beside a million). Partial, so a job enters it only when it fails or is
-- cancelled: the queue's hot path (insert, claim, complete) never touches it.
CREATE INDEX jobs_failed ON kheo.jobs (id) WHERE state IN ('discarded', 'cancelled');
