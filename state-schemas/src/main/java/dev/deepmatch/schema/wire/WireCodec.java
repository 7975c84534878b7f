package dev.deepmatch.schema.wire;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.UserVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParser;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every record on the learner's topics: Avro single-object encoding, i.e. the
 * marker {@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint (little-endian), then
 * the Avro binary body. Producers, the job, the tools and clients share these three instances.
 *
 * <p>A codec writes the current schema and reads it and every older released writer schema of its
 * type (devices of old app versions keep sending those), resolving them to the current one by Avro
 * schema resolution. The older schemas ship with the classes under {@link #SCHEMA_RESOURCES}{@code
 * older/}, self-contained, as non-Java clients use them. The fingerprint lets a reader tell a
 * record of a schema it does not know from garbage; a payload must be exactly one record (trailing
 * bytes are an error). Thread-safe.
 */
public final class WireCodec<T extends SpecificRecord> {

    /** Plays on the events topic. */
    public static final WireCodec<PlaybackEvent> PLAYBACK_EVENT =
            new WireCodec<>(
                    PlaybackEvent.class, PlaybackEvent.getClassSchema(), "PlaybackEvent-v1.avsc");

    /** Item vectors on the vectors topic. */
    public static final WireCodec<ItemVector> ITEM_VECTOR =
            new WireCodec<>(ItemVector.class, ItemVector.getClassSchema());

    /** Listeners' user vectors on the user-vectors topic. */
    public static final WireCodec<UserVector> USER_VECTOR =
            new WireCodec<>(UserVector.class, UserVector.getClassSchema());

    /** Records the job could not use, on the dead-letter topic. */
    public static final WireCodec<DeadLetter> DEAD_LETTER =
            new WireCodec<>(DeadLetter.class, DeadLetter.getClassSchema(), "DeadLetter-v1.avsc");

    /** What the trainers send each other on the job's own exchange topic. */
    public static final WireCodec<ModelDelta> MODEL_DELTA =
            new WireCodec<>(ModelDelta.class, ModelDelta.getClassSchema());

    /**
     * Classpath folder of the self-contained wire schemas: {@code <Type>.avsc} (current) and {@code
     * older/<Type>-v<N>.avsc} (as frozen in version N and read still). The repository's {@code
     * schemas/} folder.
     */
    public static final String SCHEMA_RESOURCES = "deepmatch-schemas/";

    /** Marker and fingerprint: the bytes before the body. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    /** Why a payload could not be decoded. */
    public enum Failure {
        /** Not single-object encoded, truncated, corrupt, or more than one record. */
        UNDECODABLE,
        /** A well-formed header whose schema fingerprint this reader does not know. */
        UNKNOWN_SCHEMA
    }

    /** A payload that is not a record of this codec's schema; never thrown for a good one. */
    public static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;

        private final Failure failure;

        DecodeException(Failure failure, String detail, Throwable cause) {
            super(detail, cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    private final Schema schema;
    private final long fingerprint;
    private final SpecificDatumWriter<T> writer;

    /** Writer fingerprint to a reader resolving that writer schema to the current one. */
    private final Map<Long, SpecificDatumReader<T>> readers = new LinkedHashMap<>();

    private final Map<Long, Schema> writerSchemas = new LinkedHashMap<>();

    private final SpecificDatumReader<T> currentReader;

    private WireCodec(Class<T> type, Schema schema, String... olderSchemaFiles) {
        SpecificData model = SpecificData.getForClass(type);
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.writer = new SpecificDatumWriter<>(schema, model);
        addWriter(schema, model);
        this.currentReader = readers.get(fingerprint);
        for (String file : olderSchemaFiles) {
            addWriter(loadOlder(file), model);
        }
    }

    private void addWriter(Schema writerSchema, SpecificData model) {
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalStateException(
                    "the current "
                            + schema.getName()
                            + " schema cannot read an older writer schema: "
                            + compatibility.getDescription());
        }
        long f = SchemaNormalization.parsingFingerprint64(writerSchema);
        writerSchemas.put(f, writerSchema);
        readers.put(f, new SpecificDatumReader<>(writerSchema, schema, model));
    }

    private static Schema loadOlder(String file) {
        String resource = SCHEMA_RESOURCES + "older/" + file;
        try (InputStream in = WireCodec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing");
            }
            return new SchemaParser()
                    .parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .mainSchema();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + resource, e);
        }
    }

    public Schema schema() {
        return schema;
    }

    /**
     * Every writer schema this codec reads, by fingerprint: the current one first, then the older
     * ones.
     */
    public Map<Long, Schema> writerSchemas() {
        return Collections.unmodifiableMap(writerSchemas);
    }

    /** The CRC-64-AVRO fingerprint of the schema, as written after the marker. */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * A fingerprint as the docs and dead letters show it: 16 hex digits, most significant first.
     */
    public static String hex(long fingerprint) {
        return String.format(Locale.ROOT, "%016x", fingerprint);
    }

    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MARKER_0);
        out.write(MARKER_1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fingerprint >>> (8 * i)));
        }
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema.getName(), e);
        }
        return out.toByteArray();
    }

    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException(Failure.UNDECODABLE, "empty payload", null);
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new DecodeException(
                    Failure.UNDECODABLE,
                    "not Avro single-object encoded: no C3 01 marker and fingerprint",
                    null);
        }
        long written = 0;
        for (int i = 0; i < 8; i++) {
            written |= (bytes[2 + i] & 0xFFL) << (8 * i);
        }
        // the current schema without a map lookup (and a boxed key) per record
        SpecificDatumReader<T> reader =
                written == fingerprint ? currentReader : readers.get(written);
        if (reader == null) {
            throw new DecodeException(
                    Failure.UNKNOWN_SCHEMA,
                    "schema fingerprint "
                            + hex(written)
                            + " is none of the "
                            + schema.getName()
                            + " schemas this reader knows ("
                            + String.join(
                                    ", ",
                                    writerSchemas.keySet().stream().map(WireCodec::hex).toList())
                            + ")",
                    null);
        }
        BinaryDecoder decoder =
                DecoderFactory.get()
                        .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
        T record;
        try {
            record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new DecodeException(
                        Failure.UNDECODABLE,
                        "bytes left after one " + schema.getName() + " record",
                        null);
            }
        } catch (IOException | RuntimeException e) {
            // Avro reports truncated or corrupt bodies through several exception types
            // (EOFException, AvroRuntimeException, index errors); none may stop a reader.
            throw new DecodeException(Failure.UNDECODABLE, String.valueOf(e), e);
        }
        return record;
    }
}
