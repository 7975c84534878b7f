package dev.deepmatch.job.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (2-byte marker, 8-byte schema fingerprint, binary body) of one
 * generated record type. The fingerprint lets a reader tell a record written with a schema it does
 * not know from garbage. Thread-safe: Avro's message encoder and decoder keep per-thread buffers.
 */
public final class SingleObjectCodec<T extends SpecificRecord> {

    /** Why a payload could not be decoded. */
    public enum Failure {
        /** Not single-object encoded, truncated, or not valid Avro binary for the schema. */
        UNDECODABLE,
        /** Well-formed header whose schema fingerprint this reader does not know. */
        UNKNOWN_SCHEMA
    }

    /** A decoding failure with its kind and a human-readable detail. */
    public static final class DecodeException extends Exception {
        private final Failure failure;

        DecodeException(Failure failure, String detail, Throwable cause) {
            super(detail, cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** Bytes every payload of the current schema starts with. */
    static final int HEADER_LENGTH = 10;

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final byte[] header;

    public SingleObjectCodec(Class<T> type, Schema schema) {
        SpecificData model = SpecificData.getForClass(type);
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        header = new byte[HEADER_LENGTH];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian, per the Avro spec
        }
    }

    public Schema schema() {
        return schema;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema.getName(), e);
        }
    }

    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException(Failure.UNDECODABLE, "empty payload", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new DecodeException(Failure.UNKNOWN_SCHEMA, e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new DecodeException(Failure.UNDECODABLE, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Avro reports truncated or corrupt bodies through several exception types
            // (EOFException, AvroRuntimeException, index errors); none may stop the job.
            throw new DecodeException(Failure.UNDECODABLE, String.valueOf(e), e);
        }
    }

    /** Whether the payload starts with this schema's marker and fingerprint. */
    boolean hasCurrentHeader(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_LENGTH) {
            return false;
        }
        for (int i = 0; i < HEADER_LENGTH; i++) {
            if (bytes[i] != header[i]) {
                return false;
            }
        }
        return true;
    }
}
