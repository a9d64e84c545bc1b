-- The work queue behind every background worker (catalog processing,
-- scaffolder tasks, doc builds). A job is claimed by setting locked_until;
-- a worker that dies leaves a lease that simply expires, so a kill -9
-- loses nothing.
CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  queue         TEXT    NOT NULL,
  key           TEXT    NOT NULL,          -- de-duplicates work per queue
  payload       TEXT    NOT NULL DEFAULT '{}',
  run_at        INTEGER NOT NULL,          -- unix ms when it may run
  attempts      INTEGER NOT NULL DEFAULT 0,
  locked_until  INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  created_at    INTEGER NOT NULL,
  UNIQUE (queue, key)
);
CREATE INDEX jobs_due ON jobs (queue, run_at);
