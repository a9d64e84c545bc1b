-- The items table behind /api/v1/items. Flyway applies the migrations in
-- this folder in version order on start-up; never edit an applied one, add
-- V2__..., V3__... instead.
CREATE TABLE items (
    id          UUID          PRIMARY KEY,
    name        VARCHAR(100)  NOT NULL,
    description VARCHAR(1000),
    created_at  TIMESTAMPTZ   NOT NULL,
    updated_at  TIMESTAMPTZ   NOT NULL,
    version     BIGINT        NOT NULL DEFAULT 0
);

CREATE INDEX items_created_at_idx ON items (created_at DESC);
