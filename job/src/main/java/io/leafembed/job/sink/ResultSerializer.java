package io.leafembed.job.sink;

import io.leafembed.function.EmbedResult;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes embedded records to Kafka, keyed by record id (so a compacted topic keeps the latest
 * embedding per id). The value is the JSON record ({@link JsonRecords}), or with the raw encoding
 * only the packed bytes, with the metadata in headers {@code leafembed.model}, {@code .dims},
 * {@code .dtype}, {@code .truncated}, {@code .tokens} and, for int8/uint8, {@code .ranges}.
 */
public final class ResultSerializer implements KafkaRecordSerializationSchema<EmbedResult> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final JsonRecords json;
    private final boolean raw;

    /** @param encoding json, base64 or raw */
    public ResultSerializer(String topic, String encoding, String embeddingField) {
        this.topic = topic;
        this.raw = encoding.equals("raw");
        this.json = new JsonRecords(raw ? OutputEncoding.JSON : OutputEncoding.fromId(encoding), embeddingField);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EmbedResult r, KafkaSinkContext context, Long timestamp) {
        byte[] key = r.id().getBytes(StandardCharsets.UTF_8);
        if (!raw) {
            return new ProducerRecord<>(topic, null, timestamp, key, json.result(r).getBytes(StandardCharsets.UTF_8));
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp, key, JsonRecords.packed(r));
        record.headers()
                .add("leafembed.model", utf8(r.modelId()))
                .add("leafembed.dims", utf8(String.valueOf(r.dims())))
                .add("leafembed.dtype", utf8(r.quantization()))
                .add("leafembed.truncated", utf8(String.valueOf(r.truncated())))
                .add("leafembed.tokens", utf8(String.valueOf(r.tokenCount())));
        if (r.rangesId() != null) {
            record.headers().add("leafembed.ranges", utf8(r.rangesId()));
        }
        return record;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
