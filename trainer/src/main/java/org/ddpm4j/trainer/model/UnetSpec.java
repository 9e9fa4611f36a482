package org.ddpm4j.trainer.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The DDPM UNet (Ho et al. 2020, the CIFAR-10 architecture) described as data. The DJL blocks of
 * the trainer and the ONNX graph of the exporter are both built from this one description and use
 * the parameter names and shapes of {@link #parameters()}; a test pins them.
 *
 * <h2>The forward pass this spec describes</h2>
 * <pre>
 * temb  = fc2(silu(fc1(sinusoidal(t, baseChannels))))        sinusoidal: see below
 * temb  = temb + class.embed[label]          only when classCount K &gt; 0: label 0..K-1, K the null label
 * h     = in.conv(x)                      hs = [h]
 * for level i in 0..L-1 (resolution r = imageSize / 2^i, width c_i = baseChannels * mult[i]):
 *     for j in 0..blocksPerLevel-1:  h = down.i.res.j(h, temb); if r in attentionResolutions: h = down.i.attn.j(h); hs.push(h)
 *     if i &lt; L-1:  h = down.i.downsample(h)   (3x3 conv, stride 2; see downsamplePadding);  hs.push(h)
 * h = mid.res1(h, temb); h = mid.attn(h); h = mid.res2(h, temb)
 * for level i in L-1..0:
 *     for j in 0..blocksPerLevel:   h = up.i.res.j(concat(h, hs.pop()) along channels, temb); if r in attentionResolutions: h = up.i.attn.j(h)
 *     if i &gt; 0:  h = up.i.upsample(nearest 2x upsampling of h)   (3x3 conv, padding 1)
 * out = out.conv(silu(out.norm(h)))
 *
 * res(x, temb), in -&gt; out channels:
 *     h = conv1(silu(norm1(x)));  h = h + temb_proj(silu(temb))[:, :, None, None]
 *     h = conv2(dropout(silu(norm2(h))));  return (in == out ? x : skip(x)) + h      (skip: 1x1 conv)
 * attn(x), C channels, one head:
 *     q, k, v = split(qkv(norm(x)), 3 along channels)  (1x1 conv to 3C; q first)
 *     w[b, i, j] = softmax_j( sum_c q[b,c,i] k[b,c,j] / sqrt(C) );  a[b,c,i] = sum_j w[b,i,j] v[b,c,j]
 *     return x + proj(a)   (1x1 conv)
 * norm: GroupNorm(groups, eps = normEps) with per-channel weight and bias
 * sinusoidal(t, d): half = d/2, f_k = exp(-ln(10000) k / (half - 1)), emb = [sin(t f_0..f_{half-1}), cos(t f_0..f_{half-1})],
 *     t the float value of the code timestep index 0..T-1
 * </pre>
 * Convolutions are 3x3 with padding 1 unless said otherwise. Conv weights are {@code [out, in, kh, kw]};
 * linear weights are {@code [out, in]} (PyTorch layout; ONNX Gemm with transB = 1).
 *
 * @param imageSize            height and width of the (square) images
 * @param inChannels           image channels in
 * @param outChannels          channels predicted (equal to inChannels for epsilon prediction)
 * @param baseChannels         width of the first level, and the sinusoidal embedding size
 * @param channelMults         width multiplier per level; the number of levels is its length
 * @param blocksPerLevel       residual blocks per level on the way down (one more on the way up)
 * @param attentionResolutions resolutions (image side lengths) that get self-attention
 * @param groups               GroupNorm groups
 * @param dropout              dropout rate inside residual blocks (training only)
 * @param normEps              GroupNorm epsilon
 * @param classCount           K classes of a class-conditional model (0 = unconditional): adds the
 *                             learned table {@code class.embed.weight} [K+1, 4 baseChannels], row K
 *                             the null label, starting at zero
 * @param downsamplePadding    how the stride-2 downsampling convs pad, diffusers' {@code downsample_padding}:
 *                             1 (ddpm4j's default) pads one row and column of zeros on every side;
 *                             0 (the DDPM paper's TensorFlow models and google's diffusers conversions)
 *                             pads one row at the bottom and one column at the right, then convolves
 *                             without padding. Absent in older spec JSON, which means 1
 */
public record UnetSpec(
        int imageSize,
        int inChannels,
        int outChannels,
        int baseChannels,
        List<Integer> channelMults,
        int blocksPerLevel,
        List<Integer> attentionResolutions,
        int groups,
        double dropout,
        double normEps,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) int classCount,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = SymmetricPadding.class) int downsamplePadding) {

    /** Padding 1 on every side: ddpm4j's downsampling, the default. */
    public static final int PAD_SYMMETRIC = 1;
    /** Padding 0 plus one row and column of zeros at the bottom and right: TensorFlow's "SAME" at stride 2. */
    public static final int PAD_BOTTOM_RIGHT = 0;

    /** Leaves the default {@code downsamplePadding} (1) out of the JSON, so older readers and files are unchanged. */
    static final class SymmetricPadding {
        @Override
        public boolean equals(Object value) {
            return value instanceof Integer i && i == PAD_SYMMETRIC;
        }

        @Override
        public int hashCode() {
            return PAD_SYMMETRIC;
        }
    }

    /** One learnable tensor of the model: its canonical name and shape. */
    public record Param(String name, long[] shape) {
        /** Number of values in the tensor. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Param p && p.name.equals(name) && Arrays.equals(p.shape, shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }
    }

    /** The preset names, for help texts and errors. */
    public static final List<String> PRESETS = List.of("tiny", "fashion", "ddpm-cifar", "tinyimagenet64");

    public UnetSpec {
        channelMults = List.copyOf(channelMults);
        attentionResolutions = List.copyOf(attentionResolutions);
        validate(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel, groups, dropout, normEps);
        require(classCount >= 0, "classCount must be >= 0 (0 = unconditional), found " + classCount);
        require(downsamplePadding == PAD_SYMMETRIC || downsamplePadding == PAD_BOTTOM_RIGHT,
                "downsamplePadding must be 1 (every side) or 0 (bottom and right), found " + downsamplePadding);
    }

    /** A spec with ddpm4j's symmetric downsampling padding. */
    public UnetSpec(int imageSize, int inChannels, int outChannels, int baseChannels, List<Integer> channelMults,
            int blocksPerLevel, List<Integer> attentionResolutions, int groups, double dropout, double normEps,
            int classCount) {
        this(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel, attentionResolutions,
                groups, dropout, normEps, classCount, PAD_SYMMETRIC);
    }

    /**
     * Reads the JSON of checkpoints and {@code ddpm.unet}: {@code classCount} and
     * {@code downsamplePadding} may be absent (0 and 1), as in files written before they existed.
     */
    @JsonCreator
    static UnetSpec fromJson(@JsonProperty("imageSize") int imageSize, @JsonProperty("inChannels") int inChannels,
            @JsonProperty("outChannels") int outChannels, @JsonProperty("baseChannels") int baseChannels,
            @JsonProperty("channelMults") List<Integer> channelMults, @JsonProperty("blocksPerLevel") int blocksPerLevel,
            @JsonProperty("attentionResolutions") List<Integer> attentionResolutions, @JsonProperty("groups") int groups,
            @JsonProperty("dropout") double dropout, @JsonProperty("normEps") double normEps,
            @JsonProperty("classCount") Integer classCount, @JsonProperty("downsamplePadding") Integer downsamplePadding) {
        return new UnetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, normEps, classCount == null ? 0 : classCount,
                downsamplePadding == null ? PAD_SYMMETRIC : downsamplePadding);
    }

    /** An unconditional spec. */
    public UnetSpec(int imageSize, int inChannels, int outChannels, int baseChannels, List<Integer> channelMults,
            int blocksPerLevel, List<Integer> attentionResolutions, int groups, double dropout, double normEps) {
        this(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel, attentionResolutions,
                groups, dropout, normEps, 0);
    }

    private static void validate(int imageSize, int inChannels, int outChannels, int baseChannels,
            List<Integer> mults, int blocks, int groups, double dropout, double normEps) {
        require(imageSize > 0, "imageSize must be positive, found " + imageSize);
        require(inChannels > 0 && outChannels > 0, "channels must be positive, found in=" + inChannels + " out=" + outChannels);
        require(baseChannels > 0 && baseChannels % 2 == 0, "baseChannels must be a positive even number, found " + baseChannels);
        require(!mults.isEmpty(), "channelMults must name at least one level");
        require(blocks > 0, "blocksPerLevel must be positive, found " + blocks);
        require(groups > 0, "groups must be positive, found " + groups);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), found " + dropout);
        require(normEps > 0, "normEps must be positive, found " + normEps);
        int down = 1 << (mults.size() - 1);
        require(imageSize % down == 0, "imageSize " + imageSize + " must be divisible by 2^(levels-1) = " + down);
        for (int m : mults) {
            require(m > 0, "channel multipliers must be positive, found " + mults);
            require((baseChannels * m) % groups == 0, "every level width must be divisible by groups=" + groups
                    + ", found width " + baseChannels * m);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid UNet spec: " + message);
        }
    }

    /**
     * A named preset: {@code tiny} (tests), {@code fashion} (32x32 grayscale on a CPU),
     * {@code ddpm-cifar} (the paper's 35.7M-parameter CIFAR-10 model), {@code tinyimagenet64}.
     */
    public static UnetSpec preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new UnetSpec(16, 1, 1, 16, List.of(1, 2), 1, List.of(8), 4, 0.0, 1e-5);
            case "fashion" -> new UnetSpec(32, 1, 1, 32, List.of(1, 2, 2), 2, List.of(8), 8, 0.1, 1e-5);
            case "ddpm-cifar" -> new UnetSpec(32, 3, 3, 128, List.of(1, 2, 2, 2), 2, List.of(16), 32, 0.1, 1e-5);
            case "tinyimagenet64" -> new UnetSpec(64, 3, 3, 64, List.of(1, 2, 2, 4), 2, List.of(16), 32, 0.1, 1e-5);
            default -> throw new IllegalArgumentException("Unknown preset '" + name + "', expected one of "
                    + String.join(", ", PRESETS));
        };
    }

    /** This spec with another image size. */
    public UnetSpec withImageSize(int size) {
        return new UnetSpec(size, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, normEps, classCount, downsamplePadding);
    }

    /** This spec with another number of image channels (in and out). */
    public UnetSpec withChannels(int channels) {
        return new UnetSpec(imageSize, channels, channels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, normEps, classCount, downsamplePadding);
    }

    /** This spec with another dropout rate. */
    public UnetSpec withDropout(double rate) {
        return new UnetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, rate, normEps, classCount, downsamplePadding);
    }

    /** This spec as a class-conditional model of {@code count} classes (0 = unconditional). */
    public UnetSpec withClassCount(int count) {
        return new UnetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, normEps, count, downsamplePadding);
    }

    /** This spec with another downsampling padding ({@link #PAD_SYMMETRIC} or {@link #PAD_BOTTOM_RIGHT}). */
    public UnetSpec withDownsamplePadding(int padding) {
        return new UnetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, normEps, classCount, padding);
    }

    /** This spec with another GroupNorm epsilon. */
    public UnetSpec withNormEps(double eps) {
        return new UnetSpec(imageSize, inChannels, outChannels, baseChannels, channelMults, blocksPerLevel,
                attentionResolutions, groups, dropout, eps, classCount, downsamplePadding);
    }

    /** Whether the model takes a class label. */
    public boolean conditional() {
        return classCount > 0;
    }

    /** The canonical name of the class embedding table of a conditional model. */
    public static final String CLASS_EMBEDDING = "class.embed.weight";

    /** Number of resolution levels. */
    public int levels() {
        return channelMults.size();
    }

    /** Width of the time embedding MLP: 4 x baseChannels. */
    public int timeEmbedChannels() {
        return 4 * baseChannels;
    }

    /** Width of level {@code i}. */
    public int levelChannels(int level) {
        return baseChannels * channelMults.get(level);
    }

    /** Side length of the feature maps at level {@code i}. */
    public int levelResolution(int level) {
        return imageSize >> level;
    }

    /** Whether level {@code i} has self-attention after its residual blocks. */
    public boolean hasAttention(int level) {
        return attentionResolutions.contains(levelResolution(level));
    }

    /** Channels of the skip tensors pushed on the way down, in push order. */
    public List<Integer> skipChannels() {
        List<Integer> hs = new ArrayList<>();
        hs.add(baseChannels);
        for (int i = 0; i < levels(); i++) {
            for (int j = 0; j < blocksPerLevel; j++) {
                hs.add(levelChannels(i));
            }
            if (i < levels() - 1) {
                hs.add(levelChannels(i));
            }
        }
        return hs;
    }

    /** Every learnable tensor, in forward-pass order, with canonical names and shapes. */
    public List<Param> parameters() {
        List<Param> p = new ArrayList<>();
        int temb = timeEmbedChannels();
        linear(p, "time.fc1", baseChannels, temb);
        linear(p, "time.fc2", temb, temb);
        if (classCount > 0) {
            p.add(new Param(CLASS_EMBEDDING, new long[] {classCount + 1, temb}));
        }
        conv(p, "in.conv", inChannels, baseChannels, 3);
        int cur = baseChannels;
        for (int i = 0; i < levels(); i++) {
            int out = levelChannels(i);
            for (int j = 0; j < blocksPerLevel; j++) {
                res(p, "down." + i + ".res." + j, cur, out, temb);
                cur = out;
                if (hasAttention(i)) {
                    attn(p, "down." + i + ".attn." + j, cur);
                }
            }
            if (i < levels() - 1) {
                conv(p, "down." + i + ".downsample", cur, cur, 3);
            }
        }
        res(p, "mid.res1", cur, cur, temb);
        attn(p, "mid.attn", cur);
        res(p, "mid.res2", cur, cur, temb);
        List<Integer> hs = new ArrayList<>(skipChannels());
        for (int i = levels() - 1; i >= 0; i--) {
            int out = levelChannels(i);
            for (int j = 0; j <= blocksPerLevel; j++) {
                int skip = hs.remove(hs.size() - 1);
                res(p, "up." + i + ".res." + j, cur + skip, out, temb);
                cur = out;
                if (hasAttention(i)) {
                    attn(p, "up." + i + ".attn." + j, cur);
                }
            }
            if (i > 0) {
                conv(p, "up." + i + ".upsample", cur, cur, 3);
            }
        }
        norm(p, "out.norm", cur);
        conv(p, "out.conv", cur, outChannels, 3);
        return Collections.unmodifiableList(p);
    }

    /**
     * Floating-point operations of one image's forward pass: 2 x the multiply-adds of every
     * convolution, linear layer, class-embedding lookup (a one-hot product) and the two attention
     * products (q^T k and v w^T), the terms that dominate a UNet's cost; normalisations,
     * activations and additions are left out. A training step costs about 3 x this per image
     * (forward, and a backward twice as expensive), the figure {@code ddpm bench train} compares
     * with the CPU's SGEMM rate.
     */
    public long forwardFlops() {
        long macs = 0;
        int temb = timeEmbedChannels();
        macs += (long) baseChannels * temb + (long) temb * temb;
        if (classCount > 0) {
            macs += (long) (classCount + 1) * temb;
        }
        int r = imageSize;
        macs += convMacs(inChannels, baseChannels, 3, r);
        int cur = baseChannels;
        for (int i = 0; i < levels(); i++) {
            int out = levelChannels(i);
            r = levelResolution(i);
            for (int j = 0; j < blocksPerLevel; j++) {
                macs += resMacs(cur, out, temb, r);
                cur = out;
                if (hasAttention(i)) {
                    macs += attnMacs(cur, r);
                }
            }
            if (i < levels() - 1) {
                macs += convMacs(cur, cur, 3, r / 2);
            }
        }
        macs += 2 * resMacs(cur, cur, temb, r) + attnMacs(cur, r);
        List<Integer> hs = new ArrayList<>(skipChannels());
        for (int i = levels() - 1; i >= 0; i--) {
            int out = levelChannels(i);
            r = levelResolution(i);
            for (int j = 0; j <= blocksPerLevel; j++) {
                int skip = hs.remove(hs.size() - 1);
                macs += resMacs(cur + skip, out, temb, r);
                cur = out;
                if (hasAttention(i)) {
                    macs += attnMacs(cur, r);
                }
            }
            if (i > 0) {
                macs += convMacs(cur, cur, 3, 2 * r);
            }
        }
        macs += convMacs(cur, outChannels, 3, imageSize);
        return 2 * macs;
    }

    private static long convMacs(int in, int out, int k, int resolution) {
        return (long) out * resolution * resolution * in * k * k;
    }

    private static long resMacs(int in, int out, int temb, int r) {
        long m = convMacs(in, out, 3, r) + (long) temb * out + convMacs(out, out, 3, r);
        return in != out ? m + convMacs(in, out, 1, r) : m;
    }

    private static long attnMacs(int c, int r) {
        long hw = (long) r * r;
        return convMacs(c, 3 * c, 1, r) + convMacs(c, c, 1, r) + 2 * c * hw * hw;
    }

    /** Total number of learnable values. */
    public long parameterCount() {
        return parameters().stream().mapToLong(Param::size).sum();
    }

    private static void linear(List<Param> p, String name, int in, int out) {
        p.add(new Param(name + ".weight", new long[] {out, in}));
        p.add(new Param(name + ".bias", new long[] {out}));
    }

    private static void conv(List<Param> p, String name, int in, int out, int k) {
        p.add(new Param(name + ".weight", new long[] {out, in, k, k}));
        p.add(new Param(name + ".bias", new long[] {out}));
    }

    private static void norm(List<Param> p, String name, int c) {
        p.add(new Param(name + ".weight", new long[] {c}));
        p.add(new Param(name + ".bias", new long[] {c}));
    }

    private static void res(List<Param> p, String name, int in, int out, int temb) {
        norm(p, name + ".norm1", in);
        conv(p, name + ".conv1", in, out, 3);
        linear(p, name + ".temb", temb, out);
        norm(p, name + ".norm2", out);
        conv(p, name + ".conv2", out, out, 3);
        if (in != out) {
            conv(p, name + ".skip", in, out, 1);
        }
    }

    private static void attn(List<Param> p, String name, int c) {
        norm(p, name + ".norm", c);
        conv(p, name + ".qkv", c, 3 * c, 1);
        conv(p, name + ".proj", c, c, 1);
    }
}
