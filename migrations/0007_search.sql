-- Search: one document per catalog entity and per TechDocs section, in an
-- FTS5 index over name, title, keywords and text. The index follows its sources
-- incrementally: a change to an entity or a site marks its ref in
-- search_pending (triggers below) and queues the indexer, a job that
-- rebuilds the documents of the marked refs only.
CREATE TABLE search_docs (
  id        INTEGER PRIMARY KEY,
  type      TEXT NOT NULL,   -- the collator: software-catalog, techdocs
  source    TEXT NOT NULL,   -- lower-case ref of the entity it comes from
  name      TEXT NOT NULL,   -- lower-case entity name ('' for doc sections): exact matches first
  title     TEXT NOT NULL,
  keywords  TEXT NOT NULL,   -- kind, type, owner, lifecycle, system, tags (a section: its entity)
  text      TEXT NOT NULL,
  kind      TEXT NOT NULL,   -- lower-case, for facets
  owner     TEXT NOT NULL,   -- lower-case owner ref, for facets
  document  TEXT NOT NULL    -- the JSON served
);
CREATE INDEX search_docs_source ON search_docs (source);
CREATE INDEX search_docs_browse ON search_docs (type, title);

CREATE VIRTUAL TABLE search_fts USING fts5 (
  name, title, keywords, text,
  content = 'search_docs', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER search_docs_added AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, name, title, keywords, text)
    VALUES (new.id, new.name, new.title, new.keywords, new.text);
END;
CREATE TRIGGER search_docs_removed AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, name, title, keywords, text)
    VALUES ('delete', old.id, old.name, old.title, old.keywords, old.text);
END;

-- Refs whose documents are out of date, oldest mark first.
CREATE TABLE search_pending (
  id   INTEGER PRIMARY KEY,
  ref  TEXT NOT NULL UNIQUE
);

-- Inserting a ref here marks it and queues the indexer (an upsert that,
-- like jobs_enqueue, makes a running indexer go round once more).
CREATE VIEW search_mark (ref) AS SELECT ref FROM search_pending;
CREATE TRIGGER search_mark_ref INSTEAD OF INSERT ON search_mark BEGIN
  -- (not INSERT OR REPLACE: an outer statement's conflict policy, an
  -- upsert's too, overrides one inside a trigger)
  DELETE FROM search_pending WHERE ref = new.ref;
  INSERT INTO search_pending (ref) VALUES (new.ref);
  INSERT INTO jobs (queue, key, run_at, created_at)
    VALUES ('search.index', 'pending', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
      CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (queue, key) DO UPDATE SET attempts = 0, run_at = min(run_at, excluded.run_at);
END;

CREATE TRIGGER search_entity_added AFTER INSERT ON catalog_entities
WHEN new.final IS NOT NULL BEGIN
  INSERT INTO search_mark (ref) VALUES (new.ref);
END;
CREATE TRIGGER search_entity_changed AFTER UPDATE OF final ON catalog_entities
WHEN new.final IS NOT old.final BEGIN
  INSERT INTO search_mark (ref) VALUES (new.ref);
END;
CREATE TRIGGER search_entity_removed AFTER DELETE ON catalog_entities BEGIN
  INSERT INTO search_mark (ref) VALUES (old.ref);
END;
-- A site is indexed once built: built_at changes with every stored build.
CREATE TRIGGER search_site_added AFTER INSERT ON techdocs_sites
WHEN new.built_at IS NOT NULL BEGIN
  INSERT INTO search_mark (ref) VALUES (new.entity_ref);
END;
CREATE TRIGGER search_site_built AFTER UPDATE OF built_at ON techdocs_sites
WHEN new.built_at IS NOT old.built_at BEGIN
  INSERT INTO search_mark (ref) VALUES (new.entity_ref);
END;
CREATE TRIGGER search_site_removed AFTER DELETE ON techdocs_sites BEGIN
  INSERT INTO search_mark (ref) VALUES (old.entity_ref);
END;

-- An entity with docs, new or changed, has its site built in the background
-- (a build whose sources did not change stores nothing), so that its docs
-- are searchable before anyone opens them.
CREATE TRIGGER techdocs_entity_changed AFTER UPDATE OF final ON catalog_entities
WHEN new.final IS NOT old.final AND new.final IS NOT NULL
  AND json_extract(new.final, '$.metadata.annotations."backstage.io/techdocs-ref"') IS NOT NULL BEGIN
  INSERT INTO jobs (queue, key, run_at, created_at)
    VALUES ('techdocs.build', new.ref, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
      CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (queue, key) DO UPDATE SET attempts = 0, run_at = min(run_at, excluded.run_at);
END;

-- What exists already is indexed by the first run.
INSERT INTO search_mark (ref) SELECT ref FROM catalog_entities WHERE final IS NOT NULL;
INSERT INTO search_mark (ref) SELECT entity_ref FROM techdocs_sites WHERE built_at IS NOT NULL;

-- Site files move to a rowid table: WITHOUT ROWID keeps a row within about
-- a quarter of a page, so every rendered page (typically 4 KB or more)
-- spilled into an overflow page of its own, most of it left empty.
CREATE TABLE techdocs_files_rowid (
  entity_ref    TEXT NOT NULL REFERENCES techdocs_sites (entity_ref) ON DELETE CASCADE,
  path          TEXT NOT NULL,             -- "guides/setup/index.html", "img/a.png"
  content_type  TEXT NOT NULL,
  body          BLOB NOT NULL,
  UNIQUE (entity_ref, path)
);
INSERT INTO techdocs_files_rowid (entity_ref, path, content_type, body)
  SELECT entity_ref, path, content_type, body FROM techdocs_files;
DROP TABLE techdocs_files;
ALTER TABLE techdocs_files_rowid RENAME TO techdocs_files;
