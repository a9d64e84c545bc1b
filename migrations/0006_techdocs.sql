-- TechDocs sites built in-process: one row per entity with docs, and the
-- files the site serves (pages as HTML, assets, techdocs_metadata.json).
-- A rebuild replaces a site's files in one transaction.
CREATE TABLE techdocs_sites (
  entity_ref   TEXT    PRIMARY KEY,         -- lower-case kind:namespace/name
  source_hash  TEXT,                        -- SHA-256 of what the last build read
  built_at     INTEGER,                     -- unix ms of the last successful build
  checked_at   INTEGER NOT NULL DEFAULT 0,  -- unix ms of the last build attempt
  metadata     TEXT,                        -- techdocs_metadata.json
  site         TEXT,                        -- {nav, pages: [{url, title, toc, prev, next}]}
  log          TEXT    NOT NULL DEFAULT '[]',
  error        TEXT                         -- why the last attempt failed, or NULL
);

CREATE TABLE techdocs_files (
  entity_ref    TEXT NOT NULL REFERENCES techdocs_sites (entity_ref) ON DELETE CASCADE,
  path          TEXT NOT NULL,             -- "guides/setup/index.html", "img/a.png"
  content_type  TEXT NOT NULL,
  body          BLOB NOT NULL,
  PRIMARY KEY (entity_ref, path)
) WITHOUT ROWID;
