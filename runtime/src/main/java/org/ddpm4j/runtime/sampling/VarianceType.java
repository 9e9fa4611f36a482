package org.ddpm4j.runtime.sampling;

import java.util.Locale;

/** The reverse-process variance sigma_t^2 of DDPM ancestral sampling (Ho et al. 2020, section 3.2). */
public enum VarianceType {
    /** sigma^2 = beta~ = (1 - alpha_bar_prev) / (1 - alpha_bar_t) beta_t: optimal for a deterministic x_0. */
    FIXED_SMALL("fixed_small"),
    /** sigma^2 = beta_t: optimal for x_0 ~ N(0, I). */
    FIXED_LARGE("fixed_large");

    private final String id;

    VarianceType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses "fixed_small" or "fixed_large". */
    public static VarianceType fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (VarianceType v : values()) {
            if (v.id.equals(wanted)) {
                return v;
            }
        }
        throw new IllegalArgumentException("Unknown variance '" + id + "', expected fixed_small or fixed_large");
    }

    @Override
    public String toString() {
        return id;
    }
}
