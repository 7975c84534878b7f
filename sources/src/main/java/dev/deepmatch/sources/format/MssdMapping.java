package dev.deepmatch.sources.format;

import dev.deepmatch.schema.IntentType;
import java.util.Locale;
import java.util.Set;

/**
 * How raw MSSD columns become a play's rate and intent. The choices are documented in
 * docs/REPLAY.md.
 */
public final class MssdMapping {
    /** Rates of the first true flag among skip_1, skip_2, skip_3, not_skipped (mssd-mini's). */
    public static final double SKIP_1_RATE = 0.05;

    public static final double SKIP_2_RATE = 0.20;
    public static final double SKIP_3_RATE = 0.60;
    public static final double NOT_SKIPPED_RATE = 0.90;

    /**
     * No flag set (1.4-4.5% of the rows in the shared raw slices, mostly ended by
     * fwdbtn/backbtn/endplay late in the track): no skip was recorded, so it counts as not skipped.
     */
    public static final double NO_FLAG_RATE = 0.90;

    /** Contexts whose next track the service picks for the listener. */
    private static final Set<String> RECOMMENDING_CONTEXTS =
            Set.of("radio", "personalized_playlist", "editorial_playlist");

    private MssdMapping() {}

    /**
     * Rate from the skip flags: the first true flag wins, so inconsistent rows (e.g. skip_1 without
     * skip_2) are read as their earliest skip.
     */
    public static double rate(boolean skip1, boolean skip2, boolean skip3, boolean notSkipped) {
        if (skip1) {
            return SKIP_1_RATE;
        }
        if (skip2) {
            return SKIP_2_RATE;
        }
        if (skip3) {
            return SKIP_3_RATE;
        }
        return notSkipped ? NOT_SKIPPED_RATE : NO_FLAG_RATE;
    }

    /**
     * Intent from {@code hist_user_behavior_reason_start} and {@code context_type}:
     *
     * <ul>
     *   <li>clickrow: EXACT_TRACK (the listener picked this track);
     *   <li>trackdone in radio, personalized_playlist or editorial_playlist: RECOMMENDATION (the
     *       service chose what came next); trackdone elsewhere (user_collection, catalog, charts,
     *       ...): AUTOPLAY (the next entry of a list the listener chose);
     *   <li>fwdbtn, backbtn: NAVIGATION;
     *   <li>empty: UNKNOWN; any other reason (playbtn, appload, remote, endplay, trackerror, ...):
     *       OTHER.
     * </ul>
     */
    public static IntentType intent(String reasonStart, String contextType) {
        String reason = reasonStart.trim().toLowerCase(Locale.ROOT);
        String context = contextType.trim().toLowerCase(Locale.ROOT);
        return switch (reason) {
            case "" -> IntentType.UNKNOWN;
            case "clickrow" -> IntentType.EXACT_TRACK;
            case "trackdone" ->
                    RECOMMENDING_CONTEXTS.contains(context)
                            ? IntentType.RECOMMENDATION
                            : IntentType.AUTOPLAY;
            case "fwdbtn", "backbtn" -> IntentType.NAVIGATION;
            default -> IntentType.OTHER;
        };
    }
}
