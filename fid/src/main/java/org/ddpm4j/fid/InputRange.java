package org.ddpm4j.fid;

/**
 * The value range an extractor expects its pixels in, read from the extractor's metadata key
 * {@value #METADATA_KEY} ({@code "0,1"} or {@code "-1,1"}; {@code "0,1"} when absent).
 */
public enum InputRange {
    /** Pixels in [0, 1]. */
    ZERO_ONE("0,1"),
    /** Pixels in [-1, 1]. */
    MINUS_ONE_ONE("-1,1");

    /** The extractor metadata key that names the range. */
    public static final String METADATA_KEY = "fid.input_range";

    private final String text;

    InputRange(String text) {
        this.text = text;
    }

    /** The metadata spelling, {@code "0,1"} or {@code "-1,1"}. */
    public String text() {
        return text;
    }

    /** Maps a pixel in [0, 1] into this range. */
    public float map(float unit) {
        return this == ZERO_ONE ? unit : 2f * unit - 1f;
    }

    /**
     * Parses the metadata value (spaces and brackets are ignored).
     *
     * @throws IllegalArgumentException naming the key and the value found when it is neither range
     */
    public static InputRange parse(String value) {
        String v = value.replaceAll("[\\s\\[\\]()]", "");
        for (InputRange r : values()) {
            if (r.text.equals(v) || (r == ZERO_ONE && v.equals("0.0,1.0")) || (r == MINUS_ONE_ONE && v.equals("-1.0,1.0"))) {
                return r;
            }
        }
        throw new IllegalArgumentException("metadata key " + METADATA_KEY + " must be '0,1' or '-1,1', found '" + value + "'");
    }
}
