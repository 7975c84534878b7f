package dev.deepmatch.schema.wire;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
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
 * <p>The fingerprint lets a reader tell a record of a schema it does not know from garbage; a
 * payload must be exactly one record (trailing bytes are an error). Thread-safe.
 */
public final class WireCodec<T extends SpecificRecord> {

    /** Plays on the events topic. */
    public static final WireCodec<PlaybackEvent> PLAYBACK_EVENT =
            new WireCodec<>(PlaybackEvent.class, PlaybackEvent.getClassSchema());

    /** Item vectors on the vectors topic. */
    public static final WireCodec<ItemVector> ITEM_VECTOR =
            new WireCodec<>(ItemVector.class, ItemVector.getClassSchema());

    /** Records the job could not use, on the dead-letter topic. */
    public static final WireCodec<DeadLetter> DEAD_LETTER =
            new WireCodec<>(DeadLetter.class, DeadLetter.getClassSchema());

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
    private final SpecificDatumReader<T> reader;

    private WireCodec(Class<T> type, Schema schema) {
        SpecificData model = SpecificData.getForClass(type);
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.reader = new SpecificDatumReader<>(schema, schema, model);
    }

    public Schema schema() {
        return schema;
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
        if (written != fingerprint) {
            throw new DecodeException(
                    Failure.UNKNOWN_SCHEMA,
                    "schema fingerprint "
                            + hex(written)
                            + " is not the "
                            + schema.getName()
                            + " schema this reader knows ("
                            + hex(fingerprint)
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
