package org.ddpm4j.exporter.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Writes the forward pass documented on {@link UnetSpec} as an ONNX graph: input {@code sample}
 * float32 {@code [B, C, H, W]}, input {@code timestep} int64 {@code [B]}, output {@code prediction}
 * float32 {@code [B, C, H, W]}, with a dynamic batch dimension {@code batch}.
 *
 * <p>Initializers carry the canonical parameter names of {@link UnetSpec#parameters()} (GroupNorm
 * scales and shifts are stored as {@code [C, 1, 1]} so they broadcast); helper constants are named
 * {@code const.*}. Operators: Conv, Gemm (transB = 1) for linear layers, GroupNorm as
 * Reshape -> InstanceNormalization -> Reshape -> Mul -> Add, SiLU as Sigmoid * x, attention as
 * MatMul + Softmax, nearest Resize (asymmetric, floor) + Conv for upsampling, Concat for skips, and
 * the sinusoidal embedding computed with Sin and Cos from the cast timestep.
 */
public final class UnetGraph {

    /** Name of the image input. */
    public static final String SAMPLE = "sample";
    /** Name of the timestep input. */
    public static final String TIMESTEP = "timestep";
    /** Name of the class-label input of a class-conditional model. */
    public static final String CLASS_LABEL = "class_label";
    /** Name of the output. */
    public static final String PREDICTION = "prediction";
    /** Name of the symbolic batch dimension. */
    public static final String BATCH = "batch";

    private final UnetSpec spec;
    private final Map<String, float[]> weights;
    private final OnnxGraphBuilder g;
    private String siluTemb;

    private UnetGraph(UnetSpec spec, Map<String, float[]> weights, OnnxGraphBuilder g) {
        this.spec = spec;
        this.weights = weights;
        this.g = g;
    }

    /**
     * Writes the UNet into {@code builder} (which may already carry metadata and a precision) and
     * returns the model.
     *
     * @throws IllegalArgumentException when a weight is missing or misshaped (every offending name listed)
     */
    public static ModelProto write(UnetSpec spec, Map<String, float[]> weights, OnnxGraphBuilder builder) {
        WeightCheck.check(spec, weights, Map.of(), "the export");
        new UnetGraph(spec, weights, builder).forward();
        return builder.build();
    }

    /** {@link #write(UnetSpec, Map, OnnxGraphBuilder)} with a fresh builder at the given precision. */
    public static ModelProto write(UnetSpec spec, Map<String, float[]> weights, WeightPrecision precision) {
        return write(spec, weights, new OnnxGraphBuilder("ddpm_unet").precision(precision));
    }

    private void forward() {
        int size = spec.imageSize();
        String x = g.input(SAMPLE, DataType.FLOAT, BATCH, (long) spec.inChannels(), (long) size, (long) size);
        String t = g.input(TIMESTEP, DataType.INT64, BATCH);

        String emb = timestepEmbedding(t);
        String temb = linear("time.fc2", silu("time.fc1.silu", linear("time.fc1", emb)));
        if (spec.conditional()) {
            String label = g.input(CLASS_LABEL, DataType.INT64, BATCH);
            String table = g.weight(UnetSpec.CLASS_EMBEDDING, weights.get(UnetSpec.CLASS_EMBEDDING),
                    new long[] {spec.classCount() + 1, spec.timeEmbedChannels()});
            String rows = g.node("Gather", "class.embed").inputs(table, label).attr("axis", 0L).build();
            temb = g.node("Add", "time.class_add").inputs(temb, rows).build();
        }
        siluTemb = silu("time.silu", temb);

        String h = conv("in.conv", x, 1, 1);
        Deque<Feature> hs = new ArrayDeque<>();
        Feature cur = new Feature(h, spec.baseChannels(), size);
        hs.push(cur);
        for (int i = 0; i < spec.levels(); i++) {
            int out = spec.levelChannels(i);
            for (int j = 0; j < spec.blocksPerLevel(); j++) {
                cur = res("down." + i + ".res." + j, cur, out);
                if (spec.hasAttention(i)) {
                    cur = attention("down." + i + ".attn." + j, cur);
                }
                hs.push(cur);
            }
            if (i < spec.levels() - 1) {
                cur = new Feature(downsample("down." + i + ".downsample", cur.name), cur.channels, cur.size / 2);
                hs.push(cur);
            }
        }
        cur = res("mid.res1", cur, cur.channels);
        cur = attention("mid.attn", cur);
        cur = res("mid.res2", cur, cur.channels);
        for (int i = spec.levels() - 1; i >= 0; i--) {
            int out = spec.levelChannels(i);
            for (int j = 0; j <= spec.blocksPerLevel(); j++) {
                Feature skip = hs.pop();
                String prefix = "up." + i + ".res." + j;
                String cat = g.node("Concat", prefix + ".concat").inputs(cur.name, skip.name).attr("axis", 1L).build();
                cur = res(prefix, new Feature(cat, cur.channels + skip.channels, cur.size), out);
                if (spec.hasAttention(i)) {
                    cur = attention("up." + i + ".attn." + j, cur);
                }
            }
            if (i > 0) {
                String name = "up." + i + ".upsample";
                String scales = g.constant("upsample_scales", new float[] {1, 1, 2, 2}, 4);
                String up = g.node("Resize", name + ".nearest").inputs(cur.name, "", scales)
                        .attr("mode", "nearest")
                        .attr("coordinate_transformation_mode", "asymmetric")
                        .attr("nearest_mode", "floor")
                        .build();
                cur = new Feature(conv(name, up, 1, 1), cur.channels, cur.size * 2);
            }
        }
        String normed = groupNorm("out.norm", cur);
        String y = conv("out.conv", silu("out.silu", normed), 1, 1);
        String pred = g.node("Identity", PREDICTION).inputs(y).build();
        g.output(pred, DataType.FLOAT, BATCH, (long) spec.outChannels(), (long) size, (long) size);
    }

    /** [B] int64 -> [B, baseChannels]: [sin(t f_k), cos(t f_k)], f_k = exp(-ln(10000) k / (half - 1)). */
    private String timestepEmbedding(String t) {
        int half = spec.baseChannels() / 2;
        float[] freqs = new float[half];
        for (int k = 0; k < half; k++) {
            freqs[k] = (float) Math.exp(-Math.log(10000.0) * k / Math.max(1, half - 1));
        }
        String tf = g.node("Cast", "time.t_float").inputs(t).attr("to", DataType.FLOAT_VALUE).build();
        String col = g.node("Unsqueeze", "time.t_column").inputs(tf, g.constantInts("axes_1", 1)).build();
        String f = g.constant("time.frequencies", freqs, 1, half);
        String args = g.node("Mul", "time.angles").inputs(col, f).build();
        String sin = g.node("Sin", "time.sin").inputs(args).build();
        String cos = g.node("Cos", "time.cos").inputs(args).build();
        return g.node("Concat", "time.sinusoidal").inputs(sin, cos).attr("axis", 1L).build();
    }

    private Feature res(String name, Feature x, int out) {
        String h = conv(name + ".conv1", silu(name + ".norm1.silu", groupNorm(name + ".norm1", x)), 1, 1);
        String proj = linear(name + ".temb", siluTemb);
        String proj4 = g.node("Unsqueeze", name + ".temb.unsqueeze").inputs(proj, g.constantInts("axes_2_3", 2, 3)).build();
        h = g.node("Add", name + ".add_temb").inputs(h, proj4).build();
        Feature mid = new Feature(h, out, x.size);
        h = conv(name + ".conv2", silu(name + ".norm2.silu", groupNorm(name + ".norm2", mid)), 1, 1);
        String shortcut = x.channels == out ? x.name : conv(name + ".skip", x.name, 1, 0);
        return new Feature(g.node("Add", name + ".out").inputs(shortcut, h).build(), out, x.size);
    }

    private Feature attention(String name, Feature x) {
        int c = x.channels;
        String qkv = conv(name + ".qkv", groupNorm(name + ".norm", x), 1, 0);
        String[] parts = g.node("Split", name + ".split").inputs(qkv, g.constantInts("split_" + c, c, c, c))
                .attr("axis", 1L).build(3).toArray(new String[0]);
        String flat = g.constantInts("shape_" + c + "_flat", 0, c, -1);
        String q = g.node("Reshape", name + ".q").inputs(parts[0], flat).build();
        String k = g.node("Reshape", name + ".k").inputs(parts[1], flat).build();
        String v = g.node("Reshape", name + ".v").inputs(parts[2], flat).build();
        String scale = g.constant("attn_scale_" + c, new float[] {(float) (1.0 / Math.sqrt(c))});
        String qt = g.node("Transpose", name + ".q_t").inputs(q).ints("perm", 0, 2, 1).build();
        String qs = g.node("Mul", name + ".q_scaled").inputs(qt, scale).build();
        String scores = g.node("MatMul", name + ".scores").inputs(qs, k).build();              // [B, i, j]
        String w = g.node("Softmax", name + ".weights").inputs(scores).attr("axis", -1L).build();
        String wt = g.node("Transpose", name + ".weights_t").inputs(w).ints("perm", 0, 2, 1).build(); // [B, j, i]
        String a = g.node("MatMul", name + ".attend").inputs(v, wt).build();                   // [B, C, i]
        String shape = g.constantInts("shape_" + c + "_" + x.size + "_" + x.size, 0, c, x.size, x.size);
        String a4 = g.node("Reshape", name + ".attend_4d").inputs(a, shape).build();
        String proj = conv(name + ".proj", a4, 1, 0);
        return new Feature(g.node("Add", name + ".out").inputs(x.name, proj).build(), c, x.size);
    }

    private String groupNorm(String name, Feature x) {
        int groups = spec.groups();
        String grouped = g.node("Reshape", name + ".group").inputs(x.name, g.constantInts("shape_groups", 0, groups, -1)).build();
        float[] ones = new float[groups];
        java.util.Arrays.fill(ones, 1f);
        String scale = g.constant("groupnorm_ones", ones, groups);
        String bias = g.constant("groupnorm_zeros", new float[groups], groups);
        String normed = g.node("InstanceNormalization", name + ".normalize").inputs(grouped, scale, bias)
                .attr("epsilon", (float) spec.normEps()).build();
        String shape = g.constantInts("shape_" + x.channels + "_" + x.size + "_" + x.size, 0, x.channels, x.size, x.size);
        String back = g.node("Reshape", name + ".ungroup").inputs(normed, shape).build();
        long[] perChannel = {x.channels, 1, 1};
        String w = g.weight(name + ".weight", weights.get(name + ".weight"), perChannel);
        String b = g.weight(name + ".bias", weights.get(name + ".bias"), perChannel);
        String scaled = g.node("Mul", name + ".scale").inputs(back, w).build();
        return g.node("Add", name + ".shift").inputs(scaled, b).build();
    }

    private String silu(String name, String x) {
        String s = g.node("Sigmoid", name + ".sigmoid").inputs(x).build();
        return g.node("Mul", name).inputs(x, s).build();
    }

    private String linear(String name, String x) {
        float[] wv = weights.get(name + ".weight");
        float[] bv = weights.get(name + ".bias");
        long out = bv.length;
        String w = g.weight(name + ".weight", wv, new long[] {out, wv.length / out});
        String b = g.weight(name + ".bias", bv, new long[] {out});
        return g.node("Gemm", name).inputs(x, w, b).attr("transB", 1L).build();
    }

    /** The stride-2 downsampling conv: pads (top, left, bottom, right) 1,1,1,1 or, for padding 0, 0,0,1,1. */
    private String downsample(String name, String x) {
        return spec.downsamplePadding() == UnetSpec.PAD_SYMMETRIC
                ? conv(name, x, 2, 1)
                : conv(name, x, 3, 2, new long[] {0, 0, 1, 1});
    }

    private String conv(String name, String x, int stride, int pad) {
        return conv(name, x, 2 * pad + 1, stride, new long[] {pad, pad, pad, pad});
    }

    /** A k x k Conv with ONNX pads (top, left, bottom, right). */
    private String conv(String name, String x, int k, int stride, long[] pads) {
        float[] wv = weights.get(name + ".weight");
        float[] bv = weights.get(name + ".bias");
        long out = bv.length;
        long in = wv.length / (out * k * k);
        String w = g.weight(name + ".weight", wv, new long[] {out, in, k, k});
        String b = g.weight(name + ".bias", bv, new long[] {out});
        return g.node("Conv", name).inputs(x, w, b)
                .ints("kernel_shape", k, k)
                .ints("strides", stride, stride)
                .ints("pads", pads[0], pads[1], pads[2], pads[3])
                .build();
    }

    /** A value of the graph with its channel count and (square) side length. */
    private record Feature(String name, int channels, int size) {
    }
}
