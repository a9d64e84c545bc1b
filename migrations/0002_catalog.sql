-- The software catalog.
--
-- catalog_entities holds every entity a location emitted, whether or not it
-- has ever processed cleanly: `processed` is the last good processed form
-- (NULL: never good, so invisible), `errors` the current processing errors,
-- `final` what the API serves (processed + relations + status).
CREATE TABLE catalog_entities (
  id            INTEGER PRIMARY KEY,
  ref           TEXT    NOT NULL UNIQUE,   -- kind:namespace/name, lower-case
  uid           TEXT    NOT NULL UNIQUE,
  parent_ref    TEXT,                      -- the Location entity emitting it; NULL for roots
  location_key  TEXT    NOT NULL,          -- type:target it was read from
  origin_key    TEXT    NOT NULL,          -- the registered location that led here
  input_hash    TEXT,                      -- unprocessed input, to skip unchanged work
  source_hash   TEXT,                      -- Location entities: what their targets held
  emitted       INTEGER NOT NULL DEFAULT 0, -- Location entities: entities in their last round
  processed     TEXT,
  errors        TEXT,
  final         TEXT,
  etag          TEXT,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX catalog_entities_parent ON catalog_entities (parent_ref);

-- Relations as emitted: a row per direction, owned by the entity whose
-- processing produced it. An entity's `relations` are the rows whose
-- source is that entity.
CREATE TABLE catalog_relations (
  originating_id INTEGER NOT NULL REFERENCES catalog_entities (id) ON DELETE CASCADE,
  source_ref     TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  target_ref     TEXT    NOT NULL
);
CREATE INDEX catalog_relations_source ON catalog_relations (source_ref, type, target_ref);
CREATE INDEX catalog_relations_originating ON catalog_relations (originating_id);

-- The flattened key/value index every filter, order and facet runs on.
CREATE TABLE catalog_search (
  entity_id INTEGER NOT NULL REFERENCES catalog_entities (id) ON DELETE CASCADE,
  key       TEXT    NOT NULL,   -- lower-case dotted path
  value     TEXT,               -- lower-case; NULL when longer than 200 characters
  original  TEXT                -- as written, for facets
);
CREATE INDEX catalog_search_key_value ON catalog_search (key, value, entity_id);
CREATE INDEX catalog_search_entity ON catalog_search (entity_id);

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
