package dev.deepmatch.job;

/**
 * The names of the job's own metrics, in one place: the operators register them under these, and
 * {@code bin/learner local}, the REST reader, dashboards and tests look them up by them
 * (docs/OPERATIONS.md describes each).
 */
public final class LearnerMetrics {
    private LearnerMetrics() {}

    // Dead-letter split (after the source)
    public static final String EVENTS_IN = "eventsIn";
    public static final String INVALID_EVENTS_TOTAL = "invalidEventsTotal";

    /** Group of one counter per dead-letter reason, e.g. {@code invalidEvents.UNDECODABLE}. */
    public static final String INVALID_EVENTS = "invalidEvents";

    // User behaviour windows
    public static final String PLAYS_ACCEPTED = "playsAccepted";
    public static final String LATE_PLAYS_DROPPED = "latePlaysDropped";
    public static final String DUPLICATE_PLAYS_DROPPED = "duplicatePlaysDropped";
    public static final String EXAMPLES_OUT = "examplesOut";
    public static final String USERS_IN_WINDOW_STATE = "usersInWindowState";

    // Trainer
    public static final String EXAMPLES_IN = "examplesIn";
    public static final String EXAMPLES_PER_SECOND = "examplesPerSecond";
    public static final String TRAINING_STEPS = "trainingSteps";
    public static final String TRAINING_STEP_MILLIS = "trainingStepMillis";
    public static final String LAST_TRAINING_STEP_MILLIS = "lastTrainingStepMillis";
    public static final String PENDING_EXAMPLES = "pendingExamples";
    public static final String POSITIVE_LOSS = "positiveLoss";
    public static final String NEGATIVE_LOSS = "negativeLoss";
    public static final String NEXT_ITEM_LOSS = "nextItemLoss";
    public static final String POS10 = "pos10";
    public static final String NEG10 = "neg10";
    public static final String POS10_TOTAL = "pos10Total";
    public static final String NEG10_TOTAL = "neg10Total";
    public static final String POS50 = "pos50";
    public static final String NEG50 = "neg50";
    public static final String POS50_TOTAL = "pos50Total";
    public static final String NEG50_TOTAL = "neg50Total";

    /** Hits since start behind POS@N / NEG@N totals: several trainers' figures add up by them. */
    public static final String POS10_HITS = "pos10Hits";

    public static final String NEG10_HITS = "neg10Hits";
    public static final String POS50_HITS = "pos50Hits";
    public static final String NEG50_HITS = "neg50Hits";
    public static final String POSITIVES_RANKED = "positivesRanked";
    public static final String NEGATIVES_RANKED = "negativesRanked";
    public static final String MODEL_VERSION = "modelVersion";
    public static final String CATALOGUE_SIZE = "catalogueSize";
    public static final String REJECTED_ITEMS = "rejectedItems";
    public static final String PLAYS_HELD_BACK = "playsHeldBack";
    public static final String ITEMS_EVICTED = "itemsEvicted";
    public static final String VECTORS_EMITTED = "vectorsEmitted";
    public static final String FULL_REFRESHES = "fullRefreshes";
    public static final String USER_VECTORS_EMITTED = "userVectorsEmitted";

    // Quality gate (TrainerOperator, QualityGate)
    public static final String PUBLICATION_HELD = "publicationHeld";
    public static final String GATE_HOLDS = "gateHolds";
    public static final String LAST_GOOD_VERSION = "lastGoodVersion";
    public static final String GATE_RECENT_POS10 = "gateRecentPos10";
    public static final String GATE_TRAILING_POS10 = "gateTrailingPos10";
    public static final String VECTOR_FRESHNESS_MILLIS = "vectorFreshnessMillis";
    public static final String VECTOR_EVENT_AGE_MILLIS = "vectorEventAgeMillis";

    // Trainer: several trainers sharing one model
    public static final String SHARDS_OWNED = "shardsOwned";
    public static final String ROWS_OWNED = "rowsOwned";
    public static final String EXAMPLES_COUNTED = "examplesCounted";
    public static final String EXCHANGE_LAG_MILLIS = "exchangeLagMillis";
    public static final String EXCHANGE_BYTES_SENT = "exchangeBytesSent";
    public static final String EXCHANGE_BYTES_RECEIVED = "exchangeBytesReceived";
    public static final String EXCHANGE_BYTES_SENT_PER_SECOND = "exchangeBytesSentPerSecond";
    public static final String EXCHANGE_BYTES_RECEIVED_PER_SECOND =
            "exchangeBytesReceivedPerSecond";
    public static final String DELTA_APPLY_MILLIS = "deltaApplyMillis";
    public static final String DELTAS_DISCARDED = "deltasDiscarded";
    public static final String SNAPSHOT_MILLIS = "snapshotMillis";

    // Exchange topic source
    public static final String UNDECODABLE_DELTAS = "undecodableDeltas";
}
