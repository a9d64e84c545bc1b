-- The software catalog.
--
-- catalog_entities holds every entity a location emitted, whether or not it
-- has ever processed cleanly: `final` is what the API serves — the last good
-- processed form plus uid, etag, relations and status (NULL: never good, so
-- invisible) — and `errors` the current processing errors.
CREATE TABLE catalog_entities (
  id            INTEGER PRIMARY KEY,
  ref           TEXT    NOT NULL UNIQUE,   -- kind:namespace/name, lower-case
  kind          TEXT    NOT NULL,          -- lower-case
  uid           TEXT    NOT NULL UNIQUE,
  parent_ref    TEXT,                      -- the Location entity emitting it; NULL for roots
  location_key  TEXT    NOT NULL,          -- type:target it was read from
  origin_key    TEXT    NOT NULL,          -- the registered location that led here
  input_hash    TEXT,                      -- unprocessed input, to skip unchanged work
  source_hash   TEXT,                      -- Location entities: what their targets held
  emitted       INTEGER NOT NULL DEFAULT 0, -- Location entities: entities in their last round
  errors        TEXT,
  final         TEXT,
  etag          TEXT,
  source_etag   TEXT,                      -- an etag the source itself gave, served as is
  updated_at    INTEGER NOT NULL
);
CREATE INDEX catalog_entities_parent ON catalog_entities (parent_ref);

-- Relations as emitted: a row per direction, owned by the entity whose
-- processing produced it. An entity's `relations` are the rows whose
-- source is that entity. (No foreign keys here or below: the store deletes
-- these rows itself, and ingesting skips a parent lookup per row.)
CREATE TABLE catalog_relations (
  originating_id INTEGER NOT NULL,
  source_ref     TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  target_ref     TEXT    NOT NULL
);
CREATE INDEX catalog_relations_source ON catalog_relations (source_ref, type, target_ref);
CREATE INDEX catalog_relations_originating ON catalog_relations (originating_id);

-- The flattened key/value index every filter, order and facet runs on.
-- Keys (lower-case dotted paths) are interned: a catalog has a few hundred
-- distinct keys and millions of rows.
CREATE TABLE catalog_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT    NOT NULL UNIQUE
);
--
-- Rows exist only for entities the API serves. Every query drives from one
-- key's rows in (key_id, kind, value) order — the order key, or `kind` to
-- list or count — narrowed to the kinds the filter names, and checks its
-- other conditions per entity through the primary key (entity_id, key_id),
-- which also clusters an entity's rows for re-indexing and deletion. An
-- entity has at most one row per (key, value), so counting rows counts
-- entities.
CREATE TABLE catalog_search (
  entity_id INTEGER NOT NULL,
  key_id    INTEGER NOT NULL,
  seq       INTEGER NOT NULL,   -- tells apart the rows of one key (array items)
  kind      TEXT    NOT NULL,   -- the entity's kind, lower-case
  value     TEXT,               -- lower-case; NULL when longer than 200 characters
  original  TEXT,               -- as written, for facets; NULL when equal to value
  PRIMARY KEY (entity_id, key_id, seq)
) WITHOUT ROWID;
CREATE INDEX catalog_search_key ON catalog_search (key_id, kind, value, original, entity_id);

-- How many entities of each kind the API serves: the total of the most
-- common query (a kind, ordered by name) without counting index rows.
CREATE TABLE catalog_kind_counts (
  kind TEXT    PRIMARY KEY,
  n    INTEGER NOT NULL
) WITHOUT ROWID;

-- What each url target held when last read: its ETag, for conditional
-- requests, and the hash of its content.
CREATE TABLE catalog_sources (
  key   TEXT PRIMARY KEY,   -- url:https://...
  etag  TEXT NOT NULL,
  hash  TEXT NOT NULL
) WITHOUT ROWID;

-- Registered locations (through the API or from configuration).
CREATE TABLE catalog_locations (
  id          TEXT    PRIMARY KEY,
  type        TEXT    NOT NULL,
  target      TEXT    NOT NULL,
  presence    TEXT    NOT NULL DEFAULT 'required',
  source      TEXT    NOT NULL CHECK (source IN ('api', 'config')),
  entity_ref  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (type, target)
);
