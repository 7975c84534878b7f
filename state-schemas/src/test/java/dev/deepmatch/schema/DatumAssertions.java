package dev.deepmatch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Checks that a datum read with a reader schema is what Avro's resolution rules promise for the
 * datum that was written: fields matched by name, reader-only fields at their default, unknown enum
 * symbols at the enum default.
 */
final class DatumAssertions {

    private DatumAssertions() {}

    static void assertResolved(Object written, Schema writer, Object read, Schema reader) {
        assertResolved(written, writer, read, reader, reader.getName());
    }

    private static void assertResolved(
            Object written, Schema writer, Object read, Schema reader, String path) {
        if (writer.getType() == Schema.Type.UNION) {
            writer = writer.getTypes().get(GenericData.get().resolveUnion(writer, written));
        }
        if (reader.getType() == Schema.Type.UNION) {
            reader = reader.getTypes().get(GenericData.get().resolveUnion(reader, read));
        }
        switch (reader.getType()) {
            case RECORD -> {
                GenericRecord w = (GenericRecord) written;
                GenericRecord r = (GenericRecord) read;
                for (Schema.Field field : reader.getFields()) {
                    String fieldPath = path + "." + field.name();
                    Schema.Field writerField = writer.getField(field.name());
                    if (writerField == null) {
                        Object expected = GenericData.get().getDefaultValue(field);
                        assertThat(
                                        GenericData.get()
                                                .compare(
                                                        expected,
                                                        r.get(field.name()),
                                                        field.schema()))
                                .as("%s should hold its default %s", fieldPath, expected)
                                .isEqualTo(0);
                    } else {
                        assertResolved(
                                w.get(field.name()),
                                writerField.schema(),
                                r.get(field.name()),
                                field.schema(),
                                fieldPath);
                    }
                }
            }
            case ENUM -> {
                String symbol = written.toString();
                String expected = reader.hasEnumSymbol(symbol) ? symbol : reader.getEnumDefault();
                assertThat(read.toString()).as("%s", path).isEqualTo(expected);
            }
            case ARRAY -> {
                List<?> w = (List<?>) written;
                List<?> r = (List<?>) read;
                assertThat(r).as("%s size", path).hasSize(w.size());
                for (int i = 0; i < w.size(); i++) {
                    assertResolved(
                            w.get(i),
                            writer.getElementType(),
                            r.get(i),
                            reader.getElementType(),
                            path + "[" + i + "]");
                }
            }
            case MAP -> {
                Map<?, ?> w = (Map<?, ?>) written;
                Map<?, ?> r = (Map<?, ?>) read;
                assertThat(r).as("%s size", path).hasSize(w.size());
                for (Map.Entry<?, ?> e : w.entrySet()) {
                    Object readValue = findByString(r, e.getKey().toString());
                    assertResolved(
                            e.getValue(),
                            writer.getValueType(),
                            readValue,
                            reader.getValueType(),
                            path + "[" + e.getKey() + "]");
                }
            }
            case STRING -> assertThat(read.toString()).as("%s", path).isEqualTo(written.toString());
            case BYTES -> assertThat(asBuffer(read)).as("%s", path).isEqualTo(asBuffer(written));
            case FIXED ->
                    assertThat(ByteBuffer.wrap(((GenericFixed) read).bytes()))
                            .as("%s", path)
                            .isEqualTo(ByteBuffer.wrap(((GenericFixed) written).bytes()));
            case INT, LONG, FLOAT, DOUBLE -> {
                // Promotions (int -> long, float -> double) keep the value, not the boxed class.
                assertThat(written).as("%s", path).isInstanceOf(Number.class);
                assertThat(read).as("%s", path).isInstanceOf(Number.class);
                assertThat(((Number) read).doubleValue())
                        .as("%s", path)
                        .isCloseTo(((Number) written).doubleValue(), within(0.0));
            }
            default -> assertThat(read).as("%s", path).isEqualTo(written);
        }
    }

    private static Object findByString(Map<?, ?> map, String key) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey().toString().equals(key)) {
                return e.getValue();
            }
        }
        throw new AssertionError("missing map key " + key);
    }

    private static ByteBuffer asBuffer(Object bytes) {
        // Strings may be promoted to bytes and back.
        return bytes instanceof ByteBuffer b
                ? b.duplicate()
                : ByteBuffer.wrap(
                        bytes.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
