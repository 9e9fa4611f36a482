package org.ddpm4j.runtime.pipeline;

import java.util.function.BooleanSupplier;
import org.ddpm4j.runtime.sampling.SamplerOptions;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;

/**
 * What to generate: how many images, from which seeds, with which sampler. Image k uses seed
 * {@code seeds[k]} alone (its starting noise and every stochastic step), so it comes out the same
 * whatever the batch size or the other seeds. Build with {@link #builder()}.
 *
 * @param sampler        {@code ddpm}, {@code ddim} or {@code dpmpp}
 * @param steps          denoiser calls per image; 0 means T (only for ddpm)
 * @param options        eta, variance, spacing; clipping is the model's unless {@code clipOverride} is set
 * @param clipOverride   null to follow the model's {@code ddpm.clip_sample}
 * @param seeds          one seed per image
 * @param batchSize      images per denoiser call
 * @param trajectoryEvery keep the whole batch every this many steps for an animation (0 = keep none)
 * @param progress       progress callback
 * @param cancelled      polled before each step; true stops the request with a CancellationException
 * @param labels         class labels of a class-conditional model: one per image, or one for all;
 *                       null for none (an unconditional model, or a conditional one's null label)
 * @param guidance       classifier-free guidance scale w (1 = the conditional model alone), from
 *                       {@value #MIN_GUIDANCE} to {@value #MAX_GUIDANCE}
 * @param edit           an editing mode (image-to-image, inpainting, interpolation), or null to sample from noise
 */
public record GenerationRequest(String sampler, int steps, SamplerOptions options, Boolean clipOverride,
        long[] seeds, int batchSize, int trajectoryEvery, GenerationProgress progress, BooleanSupplier cancelled,
        long[] labels, double guidance, ImageEdit edit) {

    public GenerationRequest {
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("a request needs at least one seed (one image)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, found " + batchSize);
        }
        if (trajectoryEvery < 0) {
            throw new IllegalArgumentException("trajectory interval must be >= 0, found " + trajectoryEvery);
        }
        if (!Samplers.NAMES.contains(sampler)) {
            throw new IllegalArgumentException("Unknown sampler '" + sampler + "', expected one of "
                    + String.join(", ", Samplers.NAMES));
        }
        seeds = seeds.clone();
        if (labels != null) {
            if (labels.length != 1 && labels.length != seeds.length) {
                throw new IllegalArgumentException("give one class label for all images or one per image ("
                        + seeds.length + "), found " + labels.length);
            }
            for (long l : labels) {
                if (l < 0) {
                    throw new IllegalArgumentException("class labels must be >= 0, found " + l);
                }
            }
            labels = labels.clone();
        }
        checkGuidance(guidance);
        if (labels == null && guidance != 1.0) {
            throw new IllegalArgumentException("a guidance scale needs class labels (optClassLabels), found w="
                    + guidance + " without any");
        }
        if (edit instanceof ImageEdit.Interpolation i && i.positions().length != seeds.length) {
            throw new IllegalArgumentException("an interpolation makes one image per position (" + i.positions().length
                    + "), found " + seeds.length + " seeds");
        }
    }

    /** A request without an editing mode. */
    public GenerationRequest(String sampler, int steps, SamplerOptions options, Boolean clipOverride,
            long[] seeds, int batchSize, int trajectoryEvery, GenerationProgress progress, BooleanSupplier cancelled,
            long[] labels, double guidance) {
        this(sampler, steps, options, clipOverride, seeds, batchSize, trajectoryEvery, progress, cancelled, labels,
                guidance, null);
    }

    /** The smallest guidance scale taken: 0, the model without a class. */
    public static final double MIN_GUIDANCE = 0;
    /**
     * The largest guidance scale taken: 30. Beyond a few units images saturate; far beyond, every pixel is
     * black or white, which no one asks for on purpose.
     */
    public static final double MAX_GUIDANCE = 30;

    /**
     * Refuses a guidance scale outside {@value #MIN_GUIDANCE}..{@value #MAX_GUIDANCE} (NaN and infinities
     * included).
     *
     * @throws IllegalArgumentException naming the range and the value found
     */
    public static void checkGuidance(double guidance) {
        if (!(guidance >= MIN_GUIDANCE && guidance <= MAX_GUIDANCE)) {
            throw new IllegalArgumentException("guidance scale must be a number from " + (int) MIN_GUIDANCE + " (the"
                    + " model without a class) to " + (int) MAX_GUIDANCE + ", found " + guidance);
        }
    }

    /**
     * Refuses {@code count} images from seed {@code first} when the last seed, {@code first + count - 1},
     * would pass {@link Long#MAX_VALUE} (and wrap round to negative seeds).
     *
     * @throws IllegalArgumentException naming the largest first seed that fits
     */
    public static void checkSeeds(long first, long count) {
        if (count > 0 && first > Long.MAX_VALUE - (count - 1)) {
            throw new IllegalArgumentException("seed " + first + " + " + count + " images passes the largest seed, "
                    + Long.MAX_VALUE + ": the first seed can be at most " + (Long.MAX_VALUE - (count - 1)));
        }
    }

    /** An unconditional request (no class labels, guidance 1). */
    public GenerationRequest(String sampler, int steps, SamplerOptions options, Boolean clipOverride,
            long[] seeds, int batchSize, int trajectoryEvery, GenerationProgress progress, BooleanSupplier cancelled) {
        this(sampler, steps, options, clipOverride, seeds, batchSize, trajectoryEvery, progress, cancelled, null, 1.0);
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    @Override
    public long[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** Whether the request asks for classes. */
    public boolean conditional() {
        return labels != null;
    }

    /** The class label of image {@code k} (the request must be {@link #conditional()}). */
    public long label(int k) {
        return labels.length == 1 ? labels[0] : labels[k];
    }

    /** Number of images. */
    public int count() {
        return seeds.length;
    }

    /** A builder with dpmpp, 20 steps, seed 0, one image, batch 16. */
    public static Builder builder() {
        return new Builder();
    }

    /** DJL-style builder: {@code opt*} for optional settings, checked in {@link #build()}. */
    public static final class Builder {
        private String sampler = "dpmpp";
        private int steps = 20;
        private SamplerOptions options = SamplerOptions.DEFAULTS;
        private Boolean clip;
        private long[] seeds;
        private long firstSeed;
        private int count = 1;
        private int batchSize = 16;
        private int trajectoryEvery;
        private GenerationProgress progress = GenerationProgress.NONE;
        private BooleanSupplier cancelled = () -> false;
        private long[] labels;
        private double guidance = 1.0;
        private ImageEdit edit;

        private Builder() {
        }

        /**
         * Image-to-image (SDEdit): start from {@code init} noised to the level {@code strength} chooses.
         *
         * @param init     {@code C*H*W} values in [-1, 1] at the model's size for every image, or one such image
         *                 per image of the request
         * @param strength in (0, 1]; 1 is sampling from noise
         */
        public Builder optImageToImage(float[] init, double strength) {
            this.edit = new ImageEdit.ImageToImage(init, strength);
            return this;
        }

        /**
         * Inpainting (RePaint): keep {@code init} where {@code mask} is 0, regenerate it where the mask is 1.
         *
         * @param mask        {@code H*W} values, 0 or 1, for every image or one per image
         * @param jumpLength  RePaint's j (diffusers' {@code jump_length}, default there 10)
         * @param jumpNSample RePaint's r (diffusers' {@code jump_n_sample}, default there 10; 1 = no resampling)
         */
        public Builder optInpainting(float[] init, float[] mask, int jumpLength, int jumpNSample) {
            this.edit = new ImageEdit.Inpainting(init, mask, jumpLength, jumpNSample);
            return this;
        }

        /**
         * {@code frames} images between seeds A and B (spherical interpolation of their starting noise); the
         * request's seeds become {@code frames} copies of A. Needs a deterministic sampler.
         */
        public Builder optInterpolation(long seedA, long seedB, int frames) {
            return optInterpolation(ImageEdit.Interpolation.frames(seedA, seedB, frames));
        }

        /** Images at the given interpolation positions; the request's seeds become copies of seed A. */
        public Builder optInterpolation(ImageEdit.Interpolation interpolation) {
            this.edit = interpolation;
            long[] s = new long[interpolation.positions().length];
            java.util.Arrays.fill(s, interpolation.seedA());
            this.seeds = s;
            return this;
        }

        /** Any editing mode, or null for none. */
        public Builder optEdit(ImageEdit value) {
            if (value instanceof ImageEdit.Interpolation i) {
                return optInterpolation(i);
            }
            this.edit = value;
            return this;
        }

        /**
         * Class labels of a class-conditional model: one for all images, or one per image
         * (0..K-1; K, the null label, samples unconditionally).
         */
        public Builder optClassLabels(long... values) {
            this.labels = values.clone();
            return this;
        }

        /** Classifier-free guidance scale w: 1 (the default) is the conditional model alone, 0 unconditional. */
        public Builder optGuidance(double value) {
            this.guidance = value;
            return this;
        }

        /** ddpm, ddim or dpmpp (case-insensitive; dpm++ is read as dpmpp). */
        public Builder optSampler(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            this.sampler = v.equals("dpm++") ? "dpmpp" : v;
            return this;
        }

        /** Denoiser calls per image (0 = all T, ddpm only). */
        public Builder optSteps(int value) {
            this.steps = value;
            return this;
        }

        public Builder optEta(double value) {
            this.options = options.withEta(value);
            return this;
        }

        public Builder optVariance(VarianceType value) {
            this.options = options.withVariance(value);
            return this;
        }

        public Builder optSpacing(TimestepSpacing value) {
            this.options = options.withSpacing(value);
            return this;
        }

        /** Clip x_0 or not, whatever the model says. */
        /** DDIM: re-derive epsilon from the clipped x_0 (diffusers' {@code use_clipped_model_output}; default false). */
        public Builder optClippedModelOutput(boolean value) {
            options = options.withClippedModelOutput(value);
            return this;
        }

        public Builder optClipSample(boolean value) {
            this.clip = value;
            return this;
        }

        /** Images from seeds {@code first, first+1, ..., first+count-1}. */
        public Builder optSeeds(long first, int count) {
            this.firstSeed = first;
            this.count = count;
            this.seeds = null;
            return this;
        }

        /** One image per given seed. */
        public Builder optSeeds(long... values) {
            this.seeds = values.clone();
            return this;
        }

        public Builder optBatchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** Keep the batch every {@code k} steps (and the final images) for an animation. */
        public Builder optTrajectoryEvery(int k) {
            this.trajectoryEvery = k;
            return this;
        }

        public Builder optProgress(GenerationProgress value) {
            this.progress = value;
            return this;
        }

        public Builder optCancelled(BooleanSupplier value) {
            this.cancelled = value;
            return this;
        }

        /** Checks and builds the request. */
        public GenerationRequest build() {
            long[] s = seeds;
            if (s == null) {
                if (count < 1) {
                    throw new IllegalArgumentException("image count must be at least 1, found " + count);
                }
                checkSeeds(firstSeed, count);
                s = new long[count];
                for (int i = 0; i < count; i++) {
                    s[i] = firstSeed + i;
                }
            }
            return new GenerationRequest(sampler, steps, options, clip, s, batchSize, trajectoryEvery, progress,
                    cancelled, labels, guidance, edit);
        }
    }
}
