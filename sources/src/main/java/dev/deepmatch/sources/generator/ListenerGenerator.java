package dev.deepmatch.sources.generator;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Synthetic listeners that behave enough like real ones for the learner to have something to learn:
 * seeded, endless, event times never decreasing.
 *
 * <ul>
 *   <li>Tracks have Zipf-like popularity and belong to one of a few latent styles.
 *   <li>Each user likes one to three styles; the <em>fit</em> of a track for a user is the user's
 *       taste for its style relative to their favourite, in (0, 1].
 *   <li>Users listen in sessions; many sessions run at once and interleave.
 *   <li>Each play has an intent: an exact-track request or a browse of the user's collection picks
 *       a track of a liked style; autoplay continues the previous track's style (often the next
 *       track in that style's list, like a playlist); a recommendation is a weak recommender's pick
 *       (often just popular); "other" is anything.
 *   <li>Whether a play is played through depends on fit, on intent (exact requests almost never
 *       skipped, recommendations skipped more) and on whether the previous play in the session was
 *       skipped (skips come in runs, as in MSSD). Skipped plays get a low completion rate.
 * </ul>
 */
public final class ListenerGenerator implements Iterator<PlaybackEvent>, EventSource {

    /** Log-odds of playing a track through, added per intent (indexed by ordinal). */
    private static final double[] INTENT_BIAS = new double[IntentType.values().length];

    static {
        INTENT_BIAS[IntentType.UNKNOWN.ordinal()] = 0.0;
        INTENT_BIAS[IntentType.EXACT_TRACK.ordinal()] = 2.5;
        INTENT_BIAS[IntentType.RECOMMENDATION.ordinal()] = -0.8;
        INTENT_BIAS[IntentType.AUTOPLAY.ordinal()] = 0.0;
        INTENT_BIAS[IntentType.NAVIGATION.ordinal()] = 0.8;
        INTENT_BIAS[IntentType.OTHER.ordinal()] = -0.3;
    }

    private static final double BASE_LOG_ODDS = -2.0;
    private static final double FIT_WEIGHT = 4.0;
    private static final double AFTER_SKIP_PENALTY = 1.2;

    private final GeneratorConfig config;
    private final SplittableRandom random;

    /** Global Zipf weights, cumulative, over track index (index 0 most popular). */
    private final double[] popularityCdf;

    private final int[] styleOfTrack;

    /** Tracks of each style in popularity order, and the cumulative Zipf weights among them. */
    private final int[][] tracksOfStyle;

    private final double[][] styleCdf;

    /** Position of each track inside its style's list, for playlist-like autoplay. */
    private final int[] positionInStyle;

    /** taste[user][style], normalised so the favourite style is 1. */
    private final double[][] taste;

    private final double[][] tasteCdf;
    private final double[] userBias;

    private final PriorityQueue<Session> sessions;
    private long emitted;

    public ListenerGenerator(GeneratorConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        int tracks = config.tracks();
        int styles = config.styles();

        popularityCdf = new double[tracks];
        double[] weight = new double[tracks];
        double sum = 0;
        for (int t = 0; t < tracks; t++) {
            weight[t] = 1.0 / Math.pow(t + 1, config.zipfExponent());
            sum += weight[t];
            popularityCdf[t] = sum;
        }

        styleOfTrack = new int[tracks];
        int[] styleSize = new int[styles];
        for (int t = 0; t < tracks; t++) {
            styleOfTrack[t] = random.nextInt(styles);
            styleSize[styleOfTrack[t]]++;
        }
        tracksOfStyle = new int[styles][];
        styleCdf = new double[styles][];
        positionInStyle = new int[tracks];
        for (int s = 0; s < styles; s++) {
            tracksOfStyle[s] = new int[styleSize[s]];
            styleCdf[s] = new double[styleSize[s]];
        }
        int[] filled = new int[styles];
        for (int t = 0; t < tracks; t++) {
            int s = styleOfTrack[t];
            int i = filled[s]++;
            tracksOfStyle[s][i] = t;
            positionInStyle[t] = i;
            styleCdf[s][i] = (i == 0 ? 0 : styleCdf[s][i - 1]) + weight[t];
        }

        taste = new double[config.users()][styles];
        tasteCdf = new double[config.users()][styles];
        userBias = new double[config.users()];
        for (int u = 0; u < config.users(); u++) {
            double[] row = taste[u];
            Arrays.fill(row, 0.05);
            row[random.nextInt(styles)] = 1.0;
            int extra = random.nextInt(3); // 0..2 further liked styles
            for (int k = 0; k < extra; k++) {
                int s = random.nextInt(styles);
                row[s] = Math.max(row[s], 0.4 + 0.5 * random.nextDouble());
            }
            double c = 0;
            for (int s = 0; s < styles; s++) {
                c += row[s] * row[s]; // choices lean harder to liked styles than fit does
                tasteCdf[u][s] = c;
            }
            userBias[u] = random.nextGaussian() * 0.5;
        }

        sessions = new PriorityQueue<>();
        long start = config.startTimeMillis();
        int concurrent = Math.min(config.concurrentSessions(), config.users());
        for (int i = 0; i < concurrent; i++) {
            // staggered starts within one play gap, so sessions interleave from the beginning
            sessions.add(newSession(start + (long) (random.nextDouble() * config.meanGapMillis())));
        }
    }

    public GeneratorConfig config() {
        return config;
    }

    /** Endless. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public String describe() {
        return "generator " + config;
    }

    @Override
    public void close() {}

    @Override
    public PlaybackEvent next() {
        Session s = sessions.poll();
        int track = pickTrack(s);
        double fit = fit(s.user, track);
        double logOdds =
                BASE_LOG_ODDS
                        + FIT_WEIGHT * fit
                        + INTENT_BIAS[s.nextIntent.ordinal()]
                        + userBias[s.user]
                        - (s.lastSkipped ? AFTER_SKIP_PENALTY : 0)
                        - config.skipBias();
        boolean playedThrough = random.nextDouble() < 1 / (1 + Math.exp(-logOdds));
        double rate = playedThrough ? completedRate() : skippedRate();

        PlaybackEvent event =
                PlaybackEvent.newBuilder()
                        .setEventId("gen-" + Long.toHexString(config.seed()) + "-" + emitted)
                        .setUserId(userId(s.user))
                        .setItemId(itemId(track))
                        .setEventTimeMillis(Instant.ofEpochMilli(s.nextTime))
                        .setPlayRate(rate)
                        .setIntent(s.nextIntent)
                        .setDeviceId("dev-" + s.user)
                        .build();
        emitted++;

        s.lastTrack = track;
        s.lastSkipped = !playedThrough;
        s.remaining--;
        // a skipped track ends sooner, so the next play comes sooner
        long gap =
                (long)
                        (config.meanGapMillis()
                                * (playedThrough
                                        ? 0.8 + 0.4 * random.nextDouble()
                                        : 0.1 + 0.3 * random.nextDouble()));
        long next = s.nextTime + Math.max(1, gap);
        if (s.remaining > 0) {
            s.nextTime = next;
            s.nextIntent = continuingIntent();
            sessions.add(s);
        } else {
            // another listener takes the slot once this session ends
            sessions.add(newSession(next + (long) (random.nextDouble() * config.meanGapMillis())));
        }
        return event;
    }

    /** Events emitted so far. */
    public long emitted() {
        return emitted;
    }

    /** How well a track suits a user, in (0, 1]; ids as produced by this generator. */
    public double fit(String userId, String itemId) {
        return fit(
                parseIndex(userId, "u", config.users()), parseIndex(itemId, "t", config.tracks()));
    }

    public static String userId(int user) {
        return "u" + user;
    }

    public static String itemId(int track) {
        return "t" + track;
    }

    private double fit(int user, int track) {
        return taste[user][styleOfTrack[track]];
    }

    private Session newSession(long startTime) {
        Session s = new Session();
        s.user = random.nextInt(config.users());
        s.remaining =
                config.minSessionLength()
                        + random.nextInt(config.maxSessionLength() - config.minSessionLength() + 1);
        s.nextTime = startTime;
        s.nextIntent = openingIntent();
        s.lastTrack = -1;
        return s;
    }

    private IntentType openingIntent() {
        double r = random.nextDouble();
        if (r < 0.35) {
            return IntentType.EXACT_TRACK;
        } else if (r < 0.60) {
            return IntentType.NAVIGATION;
        } else if (r < 0.90) {
            return IntentType.RECOMMENDATION;
        }
        return IntentType.OTHER;
    }

    private IntentType continuingIntent() {
        double r = random.nextDouble();
        if (r < 0.55) {
            return IntentType.AUTOPLAY;
        } else if (r < 0.70) {
            return IntentType.RECOMMENDATION;
        } else if (r < 0.82) {
            return IntentType.EXACT_TRACK;
        } else if (r < 0.94) {
            return IntentType.NAVIGATION;
        }
        return IntentType.OTHER;
    }

    private int pickTrack(Session s) {
        switch (s.nextIntent) {
            case EXACT_TRACK:
            case NAVIGATION:
                return popularInStyle(likedStyle(s.user));
            case AUTOPLAY:
                if (s.lastTrack < 0) {
                    return popular();
                }
                int style = styleOfTrack[s.lastTrack];
                if (random.nextDouble() < 0.5) {
                    // next track of the style's list, like a playlist running on
                    int[] list = tracksOfStyle[style];
                    return list[(positionInStyle[s.lastTrack] + 1) % list.length];
                }
                return random.nextDouble() < 0.7 ? popularInStyle(style) : popular();
            case RECOMMENDATION:
                // a weak recommender: knows the user's taste half of the time
                return random.nextDouble() < 0.5 ? popularInStyle(likedStyle(s.user)) : popular();
            default:
                return random.nextInt(config.tracks());
        }
    }

    private int likedStyle(int user) {
        return sample(tasteCdf[user]);
    }

    private int popular() {
        return sample(popularityCdf);
    }

    private int popularInStyle(int style) {
        int[] list = tracksOfStyle[style];
        if (list.length == 0) {
            return popular();
        }
        return list[sample(styleCdf[style])];
    }

    /** Index drawn with probability proportional to the increments of a cumulative array. */
    private int sample(double[] cdf) {
        double x = random.nextDouble() * cdf[cdf.length - 1];
        int i = Arrays.binarySearch(cdf, x);
        return i >= 0 ? Math.min(i + 1, cdf.length - 1) : -i - 1;
    }

    private double completedRate() {
        return random.nextDouble() < 0.4 ? 1.0 : 0.8 + 0.2 * random.nextDouble();
    }

    private double skippedRate() {
        return random.nextDouble() < 0.7
                ? 0.01 + 0.24 * random.nextDouble() // early skip
                : 0.25 + 0.5 * random.nextDouble(); // late skip
    }

    private static int parseIndex(String id, String prefix, int bound) {
        if (id == null || !id.startsWith(prefix)) {
            throw new IllegalArgumentException(
                    "not an id of this generator: '" + id + "' (expected " + prefix + "<n>)");
        }
        int i;
        try {
            i = Integer.parseInt(id.substring(prefix.length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an id of this generator: '" + id + "'", e);
        }
        if (i < 0 || i >= bound) {
            throw new IllegalArgumentException(
                    "id '" + id + "' is out of range for this generator (" + bound + ")");
        }
        return i;
    }

    private static final class Session implements Comparable<Session> {
        int user;
        int remaining;
        long nextTime;
        IntentType nextIntent;
        int lastTrack;
        boolean lastSkipped;

        @Override
        public int compareTo(Session o) {
            return Long.compare(nextTime, o.nextTime);
        }
    }
}
