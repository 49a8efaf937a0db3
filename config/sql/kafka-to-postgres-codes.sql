-- Kafka JSON texts -> EMBED() int8 codes -> PostgreSQL (bytea), the function form of
-- kafka-to-postgres.sql.
--
--   java -jar job/target/leaf-embed-job-0.1.0-SNAPSHOT.jar --sql config/sql/kafka-to-postgres-codes.sql
--
-- Change to yours: the Kafka brokers and topic, the model directory, the PostgreSQL URL, user and
-- password. For binary codes (dims / 8 bytes: one bit per dim) set 'leaf-embed.embedding.quantization'
-- to 'binary' and the dtype below to 'binary'. Create the table first:
--
--   CREATE TABLE embedding_codes (id text PRIMARY KEY, embedding bytea NOT NULL, model text NOT NULL,
--     dims integer NOT NULL, dtype text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());

-- EMBED() reads its settings from the session: the model provider's options, prefixed leaf-embed.
SET 'leaf-embed.model.dir' = '/models/mdbr-leaf-mt';
SET 'leaf-embed.embedding.truncate-dim' = '256';
SET 'leaf-embed.embedding.quantization' = 'int8';

-- EmbedCodesFunction returns BYTES (int8, uint8, binary, ubinary); EmbedFunction ARRAY<FLOAT>
CREATE TEMPORARY FUNCTION embed AS 'io.leafembed.sql.EmbedCodesFunction';

CREATE TABLE texts (
  id STRING,
  text STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'texts',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'leaf-embed-sql-codes',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

CREATE TABLE embedding_codes (
  id STRING,
  embedding BYTES,
  model STRING,
  dims INT,
  dtype STRING,
  updated_at TIMESTAMP_LTZ(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:postgresql://localhost:5432/postgres',
  'table-name' = 'embedding_codes',
  'username' = 'postgres',
  'password' = 'postgres'
);

INSERT INTO embedding_codes
SELECT id, EMBED(text, 'document'), 'mdbr-leaf-mt', 256, 'int8', CURRENT_TIMESTAMP
FROM texts;
