-- The sink table for leaf-embed's PostgreSQL sink (issue 9): one row per record id, so a replay
-- after a failure upserts (INSERT ... ON CONFLICT (id) DO UPDATE) instead of adding rows.
-- PostgreSQL's image runs this once, when its data volume is first created.
CREATE TABLE IF NOT EXISTS embeddings (
    id         TEXT PRIMARY KEY,
    embedding  REAL[]      NOT NULL,          -- float32 vectors (after Matryoshka truncation)
    model      TEXT        NOT NULL,
    dims       INTEGER     NOT NULL,
    dtype      TEXT        NOT NULL,          -- float32
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- int8 / uint8 / binary / ubinary codes are packed bytes: the same shape with a bytea column.
CREATE TABLE IF NOT EXISTS embedding_codes (
    id         TEXT PRIMARY KEY,
    embedding  BYTEA       NOT NULL,          -- dims bytes (int8, uint8) or dims / 8 (binary, ubinary)
    model      TEXT        NOT NULL,
    dims       INTEGER     NOT NULL,
    dtype      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
