-- Kafka JSON texts -> ML_PREDICT with the leaf-embed model provider -> PostgreSQL (real[] vectors).
--
--   java -jar job/target/leaf-embed-job-0.1.0-SNAPSHOT.jar --sql config/sql/kafka-to-postgres.sql
--
-- Change to yours: the Kafka brokers and topic, the model directory, the PostgreSQL URL, user and
-- password. Input records look like {"id": "doc-1", "text": "..."}; the table gets one row per id
-- (upserted, so a replay after a failure rewrites rows instead of adding them). Create it first:
--
--   CREATE TABLE embeddings (id text PRIMARY KEY, embedding real[] NOT NULL, model text NOT NULL,
--     dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE texts (
  id STRING,
  text STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'texts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'leaf-embed-sql',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

-- 'connector' = 'jdbc' with a jdbc:postgresql: URL uses leaf-embed's PostgreSQL dialect, which
-- writes ARRAY<FLOAT> into real[] (the stock dialect cannot)
CREATE TABLE embeddings (
  id STRING,
  embedding ARRAY<FLOAT>,
  model STRING,
  dims INT,
  dtype STRING,
  updated_at TIMESTAMP_LTZ(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://localhost:5432/postgres',
  'table-name' = 'embeddings',
  'username' = 'postgres',
  'password' = 'postgres'
);

-- mdbr-leaf-mt in this process: Matryoshka-truncated to 256 dims, texts embedded as queries
CREATE MODEL leaf
  INPUT (text STRING)
  OUTPUT (embedding ARRAY<FLOAT>)
  WITH (
    'provider' = 'leaf-embed',
    'model.dir' = '/models/mdbr-leaf-mt',
    'embedding.truncate-dim' = '256',
    'role' = 'query'
  );

INSERT INTO embeddings
SELECT id, embedding, 'mdbr-leaf-mt', 256, 'float32', CURRENT_TIMESTAMP
FROM ML_PREDICT(TABLE texts, MODEL leaf, DESCRIPTOR(text));
