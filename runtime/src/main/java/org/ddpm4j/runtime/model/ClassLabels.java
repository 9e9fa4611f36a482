package org.ddpm4j.runtime.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The classes of a class-conditional model: their count K, their names (or the numbers 0..K-1 when
 * the model names none) and the null label K. Turns a user's "sneaker" or "7" into a label, with
 * errors that list the valid choices.
 *
 * @param count K, the number of classes
 * @param names one name per class, in label order (the label numbers as text when the model names none)
 */
public record ClassLabels(int count, List<String> names) {

    public ClassLabels {
        if (count < 1) {
            throw new IllegalArgumentException("class count must be positive, found " + count);
        }
        names = List.copyOf(names);
        if (names.size() != count) {
            throw new IllegalArgumentException(names.size() + " class names for " + count + " classes");
        }
    }

    /**
     * The classes of a model.
     *
     * @throws IllegalArgumentException when the model is unconditional
     */
    public static ClassLabels of(ModelInfo info) {
        if (info.classCount().isEmpty()) {
            throw new IllegalArgumentException("the model is unconditional (no " + MetadataKeys.CLASS_COUNT
                    + "): it takes no class label and no guidance");
        }
        int k = info.classCount().getAsInt();
        List<String> names = info.classNames();
        if (names.isEmpty()) {
            List<String> numbers = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                numbers.add(Integer.toString(i));
            }
            names = numbers;
        }
        return new ClassLabels(k, names);
    }

    /** What {@link #choose} takes for the null label: the model without a class. */
    public static final String NONE = "none";

    /**
     * The class of the image drawn with {@code seed} when none is named: {@code seed mod K}, so a run of
     * K or more consecutive seeds has every class, and a seed gives the same image in any run.
     */
    public long bySeed(long seed) {
        return Math.floorMod(seed, count);
    }

    /** {@link #bySeed} for each of the seeds {@code first .. first + count - 1}. */
    public long[] bySeed(long first, int count) {
        long[] labels = new long[count];
        for (int i = 0; i < count; i++) {
            labels[i] = bySeed(first + i);
        }
        return labels;
    }

    /**
     * A class as {@link #resolve} finds it, or the null label for {@code none} (or {@code null}).
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    public long choose(String value) {
        String v = value.trim();
        if (isNone(v)) {
            return nullLabel();
        }
        try {
            return resolve(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", or '" + NONE + "' for the null label (no class)", e);
        }
    }

    /** Whether {@code value} names the null label ({@code none} or {@code null}) for {@link #choose}. */
    public static boolean isNone(String value) {
        return value != null && (value.trim().equalsIgnoreCase(NONE) || value.trim().equalsIgnoreCase("null"));
    }

    /** The null label K: the model's unconditional prediction. */
    public long nullLabel() {
        return count;
    }

    /** The name of class {@code label} (or "null" for the null label). */
    public String name(long label) {
        return label == count ? "null" : names.get(Math.toIntExact(label));
    }

    /**
     * A class by name (case-insensitive; spaces, '-', '_' and '/' ignored) or by number 0..K-1.
     *
     * @throws IllegalArgumentException naming the valid classes when {@code value} is none of them
     */
    public int resolve(String value) {
        String v = value.trim();
        if (v.matches("-?\\d+")) {
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n >= count) {
                throw new IllegalArgumentException("class label " + v + " is out of range: expected 0.." + (count - 1)
                        + " (" + listing() + ")");
            }
            return (int) n;
        }
        String key = normalise(v);
        for (int i = 0; i < count; i++) {
            if (normalise(names.get(i)).equals(key)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown class '" + v + "': expected a label 0.." + (count - 1)
                + " or one of the names (" + listing() + ")");
    }

    /**
     * Checks a label given as a number: 0..K-1, or K (the null label) when {@code allowNull}.
     *
     * @throws IllegalArgumentException naming the valid range
     */
    public void check(long label, boolean allowNull) {
        long max = allowNull ? count : count - 1;
        if (label < 0 || label > max) {
            throw new IllegalArgumentException("class label " + label + " is out of range: expected 0.." + max
                    + (allowNull ? " (" + count + " is the null label)" : "") + " (" + listing() + ")");
        }
    }

    /** "0=t-shirt/top, 1=trouser, ..." for messages. */
    public String listing() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(i);
            if (!names.get(i).equals(Integer.toString(i))) {
                b.append('=').append(names.get(i));
            }
        }
        return b.toString();
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[\\s\\-_/]", "");
    }
}
