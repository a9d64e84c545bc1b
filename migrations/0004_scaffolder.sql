-- Scaffolder tasks and their event logs. A task row is also the queue entry
-- its worker claims (status 'open' -> 'processing'); secrets are never
-- stored: they live in memory for the run, and has_secrets says a task
-- needs them (a restart before its run fails it explicitly).
CREATE TABLE scaffolder_tasks (
  id                TEXT    PRIMARY KEY,          -- UUID
  status            TEXT    NOT NULL,             -- open processing completed failed cancelled
  spec              TEXT    NOT NULL,             -- TaskSpec JSON, step inputs unrendered
  created_by        TEXT,                         -- entity ref of the caller
  created_at        INTEGER NOT NULL,             -- unix ms
  last_heartbeat_at INTEGER,                      -- unix ms, while processing
  has_secrets       INTEGER NOT NULL DEFAULT 0,
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  state             TEXT    NOT NULL DEFAULT '{}' -- {"steps": {id: {status, output}}} for retry
);
CREATE INDEX scaffolder_tasks_status ON scaffolder_tasks (status, created_at);
CREATE INDEX scaffolder_tasks_created ON scaffolder_tasks (created_at);
CREATE INDEX scaffolder_tasks_creator ON scaffolder_tasks (created_by, created_at);

-- One id sequence for every task's events, as Backstage has.
CREATE TABLE scaffolder_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id     TEXT    NOT NULL REFERENCES scaffolder_tasks (id) ON DELETE CASCADE,
  type        TEXT    NOT NULL,                   -- log completion cancelled recovered
  body        TEXT    NOT NULL,                   -- JSON
  created_at  INTEGER NOT NULL
);
CREATE INDEX scaffolder_events_task ON scaffolder_events (task_id, id);
