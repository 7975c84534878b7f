package dev.deepmatch.sources;

/** How a producer stamps the event times of the plays it sends. */
public enum EventTime {
    /** As the source says (a replay keeps the file's times and thus its order). */
    SOURCE,
    /** The wall clock at sending, like a device reporting a play as it ends. */
    NOW
}
