-- Orphans that are kept, and by-query ties broken by uid.
--
-- orphan: 1 when no location emits the entity any more and
-- catalog.orphanStrategy is keep; the entity is then served with the
-- annotation backstage.io/orphan: "true" until a location emits it again.
--
-- uid_key: the first 15 hex digits of the entity's uid as a number, so that
-- the search index orders rows with equal values by uid (Backstage's
-- tie-break) and by-query pages walk the index instead of sorting. Two uids
-- sharing those 60 bits (odds of about one in 10^5 among a million
-- entities) fall back to insertion order.
ALTER TABLE catalog_entities ADD COLUMN orphan INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalog_search ADD COLUMN uid_key INTEGER NOT NULL DEFAULT 0;

UPDATE catalog_search SET uid_key = k.uid_key
FROM (SELECT id,
    (instr('0123456789abcdef', substr(h, 1, 1)) - 1) * 72057594037927936 +
    (instr('0123456789abcdef', substr(h, 2, 1)) - 1) * 4503599627370496 +
    (instr('0123456789abcdef', substr(h, 3, 1)) - 1) * 281474976710656 +
    (instr('0123456789abcdef', substr(h, 4, 1)) - 1) * 17592186044416 +
    (instr('0123456789abcdef', substr(h, 5, 1)) - 1) * 1099511627776 +
    (instr('0123456789abcdef', substr(h, 6, 1)) - 1) * 68719476736 +
    (instr('0123456789abcdef', substr(h, 7, 1)) - 1) * 4294967296 +
    (instr('0123456789abcdef', substr(h, 8, 1)) - 1) * 268435456 +
    (instr('0123456789abcdef', substr(h, 9, 1)) - 1) * 16777216 +
    (instr('0123456789abcdef', substr(h, 10, 1)) - 1) * 1048576 +
    (instr('0123456789abcdef', substr(h, 11, 1)) - 1) * 65536 +
    (instr('0123456789abcdef', substr(h, 12, 1)) - 1) * 4096 +
    (instr('0123456789abcdef', substr(h, 13, 1)) - 1) * 256 +
    (instr('0123456789abcdef', substr(h, 14, 1)) - 1) * 16 +
    (instr('0123456789abcdef', substr(h, 15, 1)) - 1) * 1 AS uid_key
  FROM (SELECT id, replace(uid, '-', '') AS h FROM catalog_entities)) AS k
WHERE k.id = catalog_search.entity_id;

DROP INDEX catalog_search_key;
CREATE INDEX catalog_search_key ON catalog_search (key_id, kind, value, original, uid_key, entity_id);
