-- Notifications: one row per recipient user, or one with user_ref NULL for
-- a broadcast (whose read/saved state is per user, in
-- notification_user_state).
CREATE TABLE notifications (
  id           TEXT    PRIMARY KEY,            -- UUID
  user_ref     TEXT,                           -- lower-case user ref; NULL: broadcast
  origin       TEXT    NOT NULL,               -- sender, e.g. plugin:scaffolder
  scope        TEXT,
  topic        TEXT,
  severity     TEXT    NOT NULL DEFAULT 'normal',
  title        TEXT    NOT NULL,
  description  TEXT,
  link         TEXT,
  icon         TEXT,
  metadata     TEXT,                           -- JSON object or NULL
  created      INTEGER NOT NULL,               -- unix ms
  updated      INTEGER,
  read         INTEGER,
  saved        INTEGER
);
CREATE INDEX notifications_user ON notifications (user_ref, created);
CREATE INDEX notifications_scope ON notifications (origin, scope, user_ref);

CREATE TABLE notification_user_state (
  notification_id TEXT    NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  user_ref        TEXT    NOT NULL,
  read            INTEGER,
  saved           INTEGER,
  PRIMARY KEY (notification_id, user_ref)
);
