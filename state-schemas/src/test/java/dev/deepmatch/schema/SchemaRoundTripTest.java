package dev.deepmatch.schema;

import static dev.deepmatch.schema.DatumAssertions.assertResolved;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real binary encoding across schema versions: what the compatibility check promises must also hold
 * for bytes, including for the generated classes.
 */
class SchemaRoundTripTest {

    private static final int DATUMS = 25;
    private static final long SEED = 20261128L;

    static Stream<Arguments> frozenSchemas() {
        return SchemaCompatibilityTest.frozenSchemas();
    }

    @ParameterizedTest(name = "{1}: frozen/{0} bytes -> generated class")
    @MethodSource("frozenSchemas")
    void generatedClassReadsDataWrittenWithFrozenSchema(String version, String type) {
        Schema frozen = SchemaFiles.frozen(version).get(type);
        Schema current = SchemaFiles.current().get(type);
        Class<?> generated = SpecificData.get().getClass(current);
        Schema generatedSchema = SpecificData.get().getSchema(generated);

        for (Object written : new RandomData(frozen, DATUMS, SEED)) {
            byte[] oldBytes = encode(new GenericDatumWriter<>(frozen), written);

            Object specific = decode(new SpecificDatumReader<>(frozen, generatedSchema), oldBytes);
            assertThat(specific).isInstanceOf(generated);

            // Back to generic form with the current schema to compare field by field by name.
            byte[] newBytes = encode(new SpecificDatumWriter<>(generatedSchema), specific);
            Object read = decode(new GenericDatumReader<>(current), newBytes);
            assertResolved(written, frozen, read, current);
        }
    }

    @ParameterizedTest(name = "{1}: current bytes -> frozen/{0} reader")
    @MethodSource("frozenSchemas")
    void frozenReaderReadsDataWrittenWithCurrentSchema(String version, String type) {
        if (SchemaRole.of(type) != SchemaRole.WIRE) {
            return; // state is only read by new code
        }
        Schema frozen = SchemaFiles.frozen(version).get(type);
        Schema current = SchemaFiles.current().get(type);

        for (Object written : new RandomData(current, DATUMS, SEED)) {
            byte[] bytes = encode(new GenericDatumWriter<>(current), written);
            Object read = decode(new GenericDatumReader<>(current, frozen), bytes);
            assertResolved(written, current, read, frozen);
        }
    }

    @Test
    void unknownIntentFromNewerProducerDecodesAsUnknown() {
        Schema current = PlaybackEvent.getClassSchema();
        Schema newer = withExtraIntentSymbol(current, "VOICE_REQUEST");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, newer).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

        GenericRecord fromNewer = new GenericData.Record(newer);
        fromNewer.put("eventId", "e-1");
        fromNewer.put("userId", "u-1");
        fromNewer.put("itemId", "i-1");
        fromNewer.put("eventTimeMillis", 1_700_000_000_123L);
        fromNewer.put("playRate", 0.75);
        fromNewer.put(
                "intent",
                new GenericData.EnumSymbol(newer.getField("intent").schema(), "VOICE_REQUEST"));
        fromNewer.put("deviceId", "d-1");
        byte[] bytes = encode(new GenericDatumWriter<>(newer), fromNewer);

        PlaybackEvent event = decode(new SpecificDatumReader<>(newer, current), bytes);

        assertThat(event.getIntent()).isEqualTo(IntentType.UNKNOWN);
        assertThat(event.getUserId()).isEqualTo("u-1");
        assertThat(event.getItemId()).isEqualTo("i-1");
        assertThat(event.getEventTimeMillis()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(event.getPlayRate()).isEqualTo(0.75);
        assertThat(event.getDeviceId()).isEqualTo("d-1");
    }

    @Test
    void knownIntentFromNewerProducerIsKept() {
        Schema current = PlaybackEvent.getClassSchema();
        Schema newer = withExtraIntentSymbol(current, "VOICE_REQUEST");
        GenericRecord fromNewer = new GenericData.Record(newer);
        fromNewer.put("eventId", "e-2");
        fromNewer.put("userId", "u-2");
        fromNewer.put("itemId", "i-2");
        fromNewer.put("eventTimeMillis", 5L);
        fromNewer.put("playRate", 0.1);
        fromNewer.put(
                "intent",
                new GenericData.EnumSymbol(newer.getField("intent").schema(), "AUTOPLAY"));
        fromNewer.put("deviceId", null);

        PlaybackEvent event =
                decode(
                        new SpecificDatumReader<>(newer, current),
                        encode(new GenericDatumWriter<>(newer), fromNewer));

        assertThat(event.getIntent()).isEqualTo(IntentType.AUTOPLAY);
    }

    /** PlaybackEvent as a newer producer would declare it: one more IntentType symbol. */
    private static Schema withExtraIntentSymbol(Schema playbackEvent, String symbol) {
        Schema intent = playbackEvent.getField("intent").schema();
        List<String> symbols = new ArrayList<>(intent.getEnumSymbols());
        symbols.add(symbol);
        Schema newerIntent =
                Schema.createEnum(
                        intent.getName(),
                        intent.getDoc(),
                        intent.getNamespace(),
                        symbols,
                        intent.getEnumDefault());
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : playbackEvent.getFields()) {
            fields.add(
                    f.name().equals("intent")
                            ? new Schema.Field(f, newerIntent)
                            : new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(
                playbackEvent.getName(),
                playbackEvent.getDoc(),
                playbackEvent.getNamespace(),
                false,
                fields);
    }

    static byte[] encode(DatumWriter<Object> writer, Object datum) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(datum, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T decode(DatumReader<?> reader, byte[] bytes) {
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            T datum = (T) reader.read(null, decoder);
            // A reader that resolved the schemas wrongly tends to stop early.
            assertThat(decoder.isEnd()).as("bytes left over after decoding").isTrue();
            return datum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
