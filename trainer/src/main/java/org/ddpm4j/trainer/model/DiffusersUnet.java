package org.ddpm4j.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.trainer.checkpoint.SafeTensors;

/**
 * The one mapping between a {@link UnetSpec} with its weights and Hugging Face diffusers'
 * {@code UNet2DModel} ({@code unet/config.json} plus {@code unet/diffusion_pytorch_model.safetensors}).
 *
 * <p>ddpm4j's UNet is the DDPM paper's, which {@code UNet2DModel} implements as: {@code DownBlock2D} /
 * {@code AttnDownBlock2D} exactly at the levels whose resolution has attention (and the matching up
 * blocks), {@code block_out_channels} = base x multipliers, {@code layers_per_block} = blocks per level,
 * positional time embedding with {@code flip_sin_to_cos = false} and {@code freq_shift = 1}, one attention
 * head ({@code attention_head_dim} = the level's width), {@code num_class_embeds} = K + 1 for a
 * conditional model, and {@code downsample_padding} = the spec's {@link UnetSpec#downsamplePadding()}.
 * Weights are renamed, the attention's {@code qkv} 1x1 conv is split into the linear layers
 * {@code to_q}, {@code to_k}, {@code to_v} and its {@code proj} becomes {@code to_out.0}.
 *
 * <p>A config that ddpm4j cannot compute exactly is refused with one line naming the key and its
 * value ({@link UnsupportedConfigException}); nothing approximate is ever loaded. Keys absent from a
 * config take {@code UNet2DModel}'s defaults (diffusers v0.25.0), as diffusers itself does.
 */
public final class DiffusersUnet {

    /** The config file of a {@code UNet2DModel} folder. */
    public static final String CONFIG = "config.json";
    /** The weights file of a {@code UNet2DModel} folder. */
    public static final String WEIGHTS = "diffusion_pytorch_model.safetensors";
    /** The pickle weights file diffusers also writes, never read (a pickle can run code). */
    public static final String PICKLE_WEIGHTS = "diffusion_pytorch_model.bin";
    /** The diffusers release whose {@code UNet2DModel} the mapping was proven against. */
    public static final String DIFFUSERS_VERSION = "0.25.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DiffusersUnet() {
    }

    /** A config key and value that ddpm4j cannot compute exactly: the message is one line naming both. */
    public static final class UnsupportedConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnsupportedConfigException(String message) {
            super(message);
        }
    }

    /** A spec with its weights by canonical name, read from a diffusers folder. */
    public record Loaded(UnetSpec spec, Map<String, float[]> weights, Path unetFolder, String diffusersVersion) {
    }

    // ------------------------------------------------------------------ config

    /**
     * The {@code UNet2DModel} config that computes exactly the spec's function, keys in diffusers'
     * argument order.
     *
     * @throws IllegalArgumentException when the spec has no diffusers equivalent (a first multiplier
     *                                  other than 1, or widths that are not multiples of the first)
     */
    public static ObjectNode config(UnetSpec spec) {
        if (spec.channelMults().get(0) != 1) {
            throw new IllegalArgumentException("a UNet whose first channel multiplier is "
                    + spec.channelMults().get(0) + " has no UNet2DModel equivalent (its conv_in writes the first"
                    + " level's width, expected multiplier 1)");
        }
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("_class_name", "UNet2DModel");
        c.put("_diffusers_version", DIFFUSERS_VERSION);
        c.put("sample_size", spec.imageSize());
        c.put("in_channels", spec.inChannels());
        c.put("out_channels", spec.outChannels());
        c.put("center_input_sample", false);
        c.put("time_embedding_type", "positional");
        c.put("freq_shift", 1);
        c.put("flip_sin_to_cos", false);
        ArrayNode down = c.putArray("down_block_types");
        for (int i = 0; i < spec.levels(); i++) {
            down.add(spec.hasAttention(i) ? "AttnDownBlock2D" : "DownBlock2D");
        }
        ArrayNode up = c.putArray("up_block_types");
        for (int i = spec.levels() - 1; i >= 0; i--) {
            up.add(spec.hasAttention(i) ? "AttnUpBlock2D" : "UpBlock2D");
        }
        ArrayNode widths = c.putArray("block_out_channels");
        for (int i = 0; i < spec.levels(); i++) {
            widths.add(spec.levelChannels(i));
        }
        c.put("layers_per_block", spec.blocksPerLevel());
        c.put("mid_block_scale_factor", 1);
        c.put("downsample_padding", spec.downsamplePadding());
        c.put("downsample_type", "conv");
        c.put("upsample_type", "conv");
        c.put("dropout", spec.dropout());
        c.put("act_fn", "silu");
        Set<Integer> attentionWidths = attentionWidths(spec);
        if (attentionWidths.size() == 1) {
            c.put("attention_head_dim", attentionWidths.iterator().next());
        } else {
            c.putNull("attention_head_dim"); // null: each attention block's own width, one head everywhere
        }
        c.put("norm_num_groups", spec.groups());
        c.putNull("attn_norm_num_groups");
        c.put("norm_eps", spec.normEps());
        c.put("resnet_time_scale_shift", "default");
        c.put("add_attention", true);
        c.putNull("class_embed_type");
        if (spec.conditional()) {
            c.put("num_class_embeds", spec.classCount() + 1);
        } else {
            c.putNull("num_class_embeds");
        }
        c.putNull("num_train_timesteps");
        return c;
    }

    /** Widths of every attention block: the levels with attention and the middle. */
    private static Set<Integer> attentionWidths(UnetSpec spec) {
        Set<Integer> widths = new LinkedHashSet<>();
        for (int i = 0; i < spec.levels(); i++) {
            if (spec.hasAttention(i)) {
                widths.add(spec.levelChannels(i));
            }
        }
        widths.add(spec.levelChannels(spec.levels() - 1));
        return widths;
    }

    /**
     * The spec of a {@code UNet2DModel} config.
     *
     * @throws UnsupportedConfigException naming the first key whose value ddpm4j cannot compute exactly
     */
    public static UnetSpec spec(JsonNode config) {
        if (config == null || !config.isObject()) {
            throw new UnsupportedConfigException("a UNet2DModel config must be a JSON object");
        }
        String className = config.path("_class_name").asText("UNet2DModel");
        if (!className.equals("UNet2DModel")) {
            throw unsupported("_class_name", config.get("_class_name"), "UNet2DModel");
        }
        for (var it = config.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!key.startsWith("_") && !KNOWN_KEYS.contains(key)) {
                throw unsupported(key, config.get(key), "no such key in diffusers v" + DIFFUSERS_VERSION
                        + "'s UNet2DModel, so its meaning is unknown");
            }
        }
        expect(config, "center_input_sample", false);
        expect(config, "time_embedding_type", "positional");
        JsonNode flip = config.get("flip_sin_to_cos");
        if (flip == null || !flip.isBoolean() || flip.asBoolean()) {
            throw unsupported("flip_sin_to_cos", flip == null ? JSON.valueToTree(true) : flip,
                    "false (sin before cos, the DDPM paper's embedding)" + (flip == null ? "; absent, diffusers' default true applies" : ""));
        }
        expectNumber(config, "freq_shift", 1, 0);
        expectNumber(config, "mid_block_scale_factor", 1, 1);
        expect(config, "downsample_type", "conv");
        expect(config, "upsample_type", "conv");
        expect(config, "resnet_time_scale_shift", "default");
        expect(config, "add_attention", true);
        expect(config, "mid_block_type", "UNetMidBlock2D");
        JsonNode act = config.get("act_fn");
        if (act != null && !act.isNull() && !(act.asText().equals("silu") || act.asText().equals("swish"))) {
            throw unsupported("act_fn", act, "\"silu\"");
        }
        JsonNode classType = config.get("class_embed_type");
        if (classType != null && !classType.isNull()) {
            throw unsupported("class_embed_type", classType, "null (a learned table of num_class_embeds rows)");
        }

        int inChannels = intValue(config, "in_channels", 3);
        int outChannels = intValue(config, "out_channels", 3);
        int[] widths = intArray(config, "block_out_channels", new int[] {224, 448, 672, 896});
        int levels = widths.length;
        int base = widths[0];
        List<Integer> mults = new ArrayList<>();
        for (int w : widths) {
            if (w % base != 0) {
                throw unsupported("block_out_channels", config.get("block_out_channels"),
                        "every width a multiple of the first");
            }
            mults.add(w / base);
        }
        int size = sampleSize(config);
        String[] downTypes = stringArray(config, "down_block_types",
                new String[] {"DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"});
        String[] upTypes = stringArray(config, "up_block_types",
                new String[] {"AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"});
        if (downTypes.length != levels) {
            throw unsupported("down_block_types", config.get("down_block_types"),
                    levels + " block types, one per block_out_channels entry");
        }
        if (upTypes.length != levels) {
            throw unsupported("up_block_types", config.get("up_block_types"),
                    levels + " block types, one per block_out_channels entry");
        }
        List<Integer> attention = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            boolean downAttn = blockHasAttention("down_block_types", downTypes[i], "DownBlock2D", "AttnDownBlock2D");
            String upType = upTypes[levels - 1 - i];
            boolean upAttn = blockHasAttention("up_block_types", upType, "UpBlock2D", "AttnUpBlock2D");
            if (downAttn != upAttn) {
                throw unsupported("up_block_types", config.get("up_block_types"), "attention at the same levels as"
                        + " down_block_types " + config.get("down_block_types") + " (ddpm4j has attention on both"
                        + " sides of a level or on neither)");
            }
            if (downAttn) {
                attention.add(size >> i);
            }
        }
        int layers = intValue(config, "layers_per_block", 2);
        int groups = intValue(config, "norm_num_groups", 32);
        JsonNode attnGroups = config.get("attn_norm_num_groups");
        if (attnGroups != null && !attnGroups.isNull() && attnGroups.asInt() != groups) {
            throw unsupported("attn_norm_num_groups", attnGroups, "null or norm_num_groups (" + groups + ")");
        }
        double eps = doubleValue(config, "norm_eps", 1e-5);
        double dropout = doubleValue(config, "dropout", 0.0);
        int padding = intValue(config, "downsample_padding", 1);
        if (padding != UnetSpec.PAD_SYMMETRIC && padding != UnetSpec.PAD_BOTTOM_RIGHT) {
            throw unsupported("downsample_padding", config.get("downsample_padding"), "0 or 1");
        }
        int classCount = 0;
        JsonNode classes = config.get("num_class_embeds");
        if (classes != null && !classes.isNull()) {
            if (!classes.canConvertToExactIntegral() || classes.asInt() < 2) {
                throw unsupported("num_class_embeds", classes, "null or K + 1 >= 2 (K classes plus the null label)");
            }
            classCount = classes.asInt() - 1;
        }
        JsonNode headDim = config.has("attention_head_dim") ? config.get("attention_head_dim") : JSON.valueToTree(8);
        if (!headDim.isNull()) {
            for (int i = 0; i < levels; i++) {
                if (attention.contains(size >> i) || i == levels - 1) {
                    if (headDim.asInt() != widths[i]) {
                        throw unsupported("attention_head_dim", headDim, "null or the attention blocks' width "
                                + widths[i] + ": that gives " + (widths[i] / Math.max(1, headDim.asInt()))
                                + " heads at width " + widths[i] + ", and ddpm4j's attention has one head");
                    }
                }
            }
        }
        try {
            return new UnetSpec(size, inChannels, outChannels, base, mults, layers, attention, groups, dropout, eps,
                    classCount, padding);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedConfigException("the UNet2DModel config describes no valid ddpm4j UNet: " + e.getMessage());
        }
    }

    private static final Set<String> KNOWN_KEYS = Set.of("sample_size", "in_channels", "out_channels",
            "center_input_sample", "time_embedding_type", "freq_shift", "flip_sin_to_cos", "down_block_types",
            "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor", "downsample_padding",
            "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim", "norm_num_groups",
            "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention", "class_embed_type",
            "num_class_embeds", "num_train_timesteps", "mid_block_type");

    private static boolean blockHasAttention(String key, String type, String plain, String attn) {
        if (type.equals(plain)) {
            return false;
        }
        if (type.equals(attn)) {
            return true;
        }
        throw new UnsupportedConfigException("unsupported UNet2DModel config: " + key + " holds \"" + type
                + "\", expected " + plain + " or " + attn + " (the DDPM paper's blocks)");
    }

    private static int sampleSize(JsonNode config) {
        JsonNode s = config.get("sample_size");
        if (s == null || s.isNull()) {
            throw unsupported("sample_size", s, "the image side length (ddpm4j's UNet has a fixed image size)");
        }
        if (s.isArray()) {
            if (s.size() != 2 || s.get(0).asInt() != s.get(1).asInt() || s.get(0).asInt() <= 0) {
                throw unsupported("sample_size", s, "a square size (ddpm4j's UNet is square)");
            }
            return s.get(0).asInt();
        }
        if (!s.canConvertToExactIntegral() || s.asInt() <= 0) {
            throw unsupported("sample_size", s, "a positive integer");
        }
        return s.asInt();
    }

    private static void expect(JsonNode config, String key, Object expected) {
        JsonNode v = config.get(key);
        if (v == null) {
            return; // diffusers' default, which equals every expectation passed here
        }
        boolean ok = expected instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
                : v.isTextual() && v.asText().equals(expected);
        if (!ok) {
            throw unsupported(key, v, expected instanceof String ? "\"" + expected + "\"" : String.valueOf(expected));
        }
    }

    /** A numeric key that must equal {@code expected}; an absent key takes diffusers' default. */
    private static void expectNumber(JsonNode config, String key, double expected, double diffusersDefault) {
        JsonNode v = config.get(key);
        double value = v == null ? diffusersDefault : v.isNumber() ? v.asDouble() : Double.NaN;
        if (value != expected) {
            throw unsupported(key, v == null ? JSON.valueToTree(diffusersDefault) : v, ExportNumbers.plain(expected)
                    + (v == null ? " (absent, so diffusers' default applies)" : ""));
        }
    }

    private static int intValue(JsonNode config, String key, int diffusersDefault) {
        JsonNode v = config.get(key);
        if (v == null) {
            return diffusersDefault;
        }
        if (!v.canConvertToExactIntegral()) {
            throw unsupported(key, v, "an integer");
        }
        return v.asInt();
    }

    private static double doubleValue(JsonNode config, String key, double diffusersDefault) {
        JsonNode v = config.get(key);
        if (v == null) {
            return diffusersDefault;
        }
        if (!v.isNumber()) {
            throw unsupported(key, v, "a number");
        }
        return v.asDouble();
    }

    private static int[] intArray(JsonNode config, String key, int[] diffusersDefault) {
        JsonNode v = config.get(key);
        if (v == null) {
            return diffusersDefault;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw unsupported(key, v, "a non-empty list of integers");
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).canConvertToExactIntegral() || v.get(i).asInt() <= 0) {
                throw unsupported(key, v, "a list of positive integers");
            }
            out[i] = v.get(i).asInt();
        }
        return out;
    }

    private static String[] stringArray(JsonNode config, String key, String[] diffusersDefault) {
        JsonNode v = config.get(key);
        if (v == null) {
            return diffusersDefault;
        }
        if (!v.isArray()) {
            throw unsupported(key, v, "a list of block type names");
        }
        String[] out = new String[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i).asText();
        }
        return out;
    }

    private static UnsupportedConfigException unsupported(String key, JsonNode value, String expected) {
        return new UnsupportedConfigException("unsupported UNet2DModel config: " + key + " = "
                + (value == null ? "(absent)" : value.toString()) + ", ddpm4j computes exactly only " + expected);
    }

    // ------------------------------------------------------------------ weights

    /** One diffusers tensor of a ddpm4j parameter: its name, shape, and where its rows come from. */
    private record Part(String name, long[] shape, int firstRow, int rows) {
    }

    /** The diffusers module path of a ddpm4j module path (without {@code .weight}/{@code .bias}). */
    static String modulePath(UnetSpec spec, String module) {
        String[] p = module.split("\\.");
        switch (p[0]) {
            case "time":
                return p[1].equals("fc1") ? "time_embedding.linear_1" : "time_embedding.linear_2";
            case "class":
                return "class_embedding";
            case "in":
                return "conv_in";
            case "out":
                return p[1].equals("norm") ? "conv_norm_out" : "conv_out";
            case "mid":
                return switch (p[1]) {
                    case "res1" -> "mid_block.resnets.0." + resnetPart(p[2]);
                    case "res2" -> "mid_block.resnets.1." + resnetPart(p[2]);
                    default -> "mid_block.attentions.0." + attentionPart(p[2]);
                };
            case "down":
            case "up": {
                int level = Integer.parseInt(p[1]);
                String block = p[0].equals("down") ? "down_blocks." + level : "up_blocks." + (spec.levels() - 1 - level);
                return switch (p[2]) {
                    case "res" -> block + ".resnets." + p[3] + "." + resnetPart(p[4]);
                    case "attn" -> block + ".attentions." + p[3] + "." + attentionPart(p[4]);
                    case "downsample" -> block + ".downsamplers.0.conv";
                    case "upsample" -> block + ".upsamplers.0.conv";
                    default -> throw new IllegalStateException("unknown module " + module);
                };
            }
            default:
                throw new IllegalStateException("unknown module " + module);
        }
    }

    private static String resnetPart(String part) {
        return switch (part) {
            case "temb" -> "time_emb_proj";
            case "skip" -> "conv_shortcut";
            default -> part; // norm1, conv1, norm2, conv2
        };
    }

    private static String attentionPart(String part) {
        return switch (part) {
            case "norm" -> "group_norm";
            case "proj" -> "to_out.0";
            default -> part; // qkv, split by parts()
        };
    }

    /** The diffusers tensors holding one ddpm4j parameter. */
    private static List<Part> parts(UnetSpec spec, UnetSpec.Param param) {
        String name = param.name();
        int dot = name.lastIndexOf('.');
        String module = name.substring(0, dot);
        String kind = name.substring(dot + 1);
        String path = modulePath(spec, module);
        long[] s = param.shape();
        if (module.endsWith(".qkv")) {
            int c = (int) (s[0] / 3);
            String attn = path.substring(0, path.length() - "qkv".length());
            long[] shape = kind.equals("weight") ? new long[] {c, c} : new long[] {c};
            return List.of(new Part(attn + "to_q." + kind, shape, 0, c), new Part(attn + "to_k." + kind, shape, c, c),
                    new Part(attn + "to_v." + kind, shape, 2 * c, c));
        }
        if (module.endsWith(".proj") && kind.equals("weight")) {
            return List.of(new Part(path + "." + kind, new long[] {s[0], s[1]}, 0, (int) s[0]));
        }
        return List.of(new Part(path + "." + kind, s, 0, (int) s[0]));
    }

    /** Attention names of diffusers' older {@code AttentionBlock}, which its loader still converts. */
    private static final Map<String, String> DEPRECATED_ATTENTION = Map.of(
            "to_q.", "query.", "to_k.", "key.", "to_v.", "value.", "to_out.0.", "proj_attn.");

    /** The weights under diffusers' names and shapes, in ddpm4j's parameter order. */
    public static Map<String, SafeTensors.Tensor> toDiffusers(UnetSpec spec, Map<String, float[]> weights) {
        UnetModel.checkWeights(spec, weights);
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = weights.get(p.name());
            int perRow = (int) (p.size() / p.shape()[0]);
            for (Part part : parts(spec, p)) {
                float[] slice = Arrays.copyOfRange(v, part.firstRow * perRow, (part.firstRow + part.rows) * perRow);
                out.put(part.name, new SafeTensors.Tensor(part.shape, slice));
            }
        }
        return out;
    }

    /**
     * ddpm4j's weights from diffusers' tensors (current names, or the older attention names
     * {@code query}/{@code key}/{@code value}/{@code proj_attn}).
     *
     * @throws IllegalArgumentException listing every missing, misshaped and unexpected tensor of {@code source}
     */
    public static Map<String, float[]> fromDiffusers(UnetSpec spec, Map<String, SafeTensors.Tensor> tensors, String source) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = new float[Math.toIntExact(p.size())];
            int perRow = (int) (p.size() / p.shape()[0]);
            boolean complete = true;
            for (Part part : parts(spec, p)) {
                String name = part.name;
                SafeTensors.Tensor t = tensors.get(name);
                if (t == null) {
                    name = deprecatedName(part.name);
                    t = name == null ? null : tensors.get(name);
                }
                if (t == null) {
                    missing.add(part.name);
                    complete = false;
                    continue;
                }
                used.add(name);
                if (!Arrays.equals(t.shape(), part.shape)) {
                    misshaped.add(name + " " + Arrays.toString(t.shape()) + " (expected " + Arrays.toString(part.shape) + ")");
                    complete = false;
                    continue;
                }
                System.arraycopy(t.data(), 0, v, part.firstRow * perRow, part.rows * perRow);
            }
            if (complete) {
                out.put(p.name(), v);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!used.contains(name)) {
                unexpected.add(name);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing " + missing.size() + ": " + String.join(", ", missing));
        }
        if (!misshaped.isEmpty()) {
            problems.add("misshaped " + misshaped.size() + ": " + String.join(", ", misshaped));
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + unexpected.size() + ": " + String.join(", ", unexpected));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + " does not hold the weights of its config's UNet2DModel: "
                    + String.join("; ", problems));
        }
        for (Map.Entry<String, float[]> e : out.entrySet()) {
            for (float f : e.getValue()) {
                if (!Float.isFinite(f)) {
                    throw new IllegalArgumentException(source + " holds a non-finite value in the tensor of " + e.getKey());
                }
            }
        }
        return out;
    }

    private static String deprecatedName(String name) {
        for (Map.Entry<String, String> e : DEPRECATED_ATTENTION.entrySet()) {
            int at = name.lastIndexOf("." + e.getKey());
            if (at >= 0 && name.indexOf(".attentions.") >= 0) {
                return name.substring(0, at + 1) + e.getValue() + name.substring(at + 1 + e.getKey().length());
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ folders

    /**
     * Whether {@code path} is a diffusers pipeline folder ({@code model_index.json}, or a
     * {@code unet/} subfolder) or a {@code UNet2DModel} folder ({@code config.json} with
     * {@code diffusion_pytorch_model.*}).
     */
    public static boolean isDiffusersFolder(Path path) {
        if (!Files.isDirectory(path)) {
            return false;
        }
        return Files.isRegularFile(path.resolve("model_index.json")) || isUnetFolder(path.resolve("unet"))
                || isUnetFolder(path);
    }

    private static boolean isUnetFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG))
                && (Files.exists(dir.resolve(WEIGHTS)) || Files.exists(dir.resolve(PICKLE_WEIGHTS)));
    }

    /** The {@code UNet2DModel} folder of a pipeline folder ({@code unet/}), or the folder itself. */
    public static Path unetFolder(Path path) {
        return Files.isDirectory(path.resolve("unet")) ? path.resolve("unet") : path;
    }

    /**
     * Reads a pipeline folder's {@code unet/} (or a {@code UNet2DModel} folder): the config, refused
     * unless ddpm4j computes it exactly, and the safetensors weights. A pickle
     * ({@code diffusion_pytorch_model.bin}) is never read.
     *
     * @throws IOException              when a file is missing or corrupt (naming it)
     * @throws IllegalArgumentException when the config or weights are refused (one line naming the key
     *                                  and value, or every offending tensor)
     */
    public static Loaded read(Path path) throws IOException {
        Path dir = unetFolder(path);
        Path configFile = dir.resolve(CONFIG);
        Path weightsFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile)) {
            throw new java.nio.file.NoSuchFileException(configFile.toString(), null,
                    "expected a diffusers pipeline folder (model_index.json, unet/) or a UNet2DModel folder");
        }
        if (!Files.isRegularFile(weightsFile)) {
            if (Files.exists(dir.resolve(PICKLE_WEIGHTS))) {
                throw new IllegalArgumentException(dir.resolve(PICKLE_WEIGHTS) + " is a pickle, which can run code when"
                        + " loaded, so ddpm4j reads safetensors only: convert it in Python with"
                        + " UNet2DModel.from_pretrained(folder).save_pretrained(folder, safe_serialization=True)");
            }
            throw new java.nio.file.NoSuchFileException(weightsFile.toString(), null, "the UNet2DModel weights");
        }
        JsonNode config;
        try {
            config = JSON.readTree(configFile.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("corrupt " + configFile + ": " + e.getOriginalMessage(), e);
        }
        UnetSpec spec;
        try {
            spec = spec(config);
        } catch (UnsupportedConfigException e) {
            throw new UnsupportedConfigException(configFile + ": " + e.getMessage());
        }
        SafeTensors.Contents contents = SafeTensors.read(weightsFile);
        Map<String, float[]> weights = fromDiffusers(spec, contents.tensors(), weightsFile.toString());
        return new Loaded(spec, weights, dir, config.path("_diffusers_version").asText("unknown"));
    }

    /**
     * Writes {@code config.json} and {@code diffusion_pytorch_model.safetensors} into {@code dir} (an
     * existing folder; not atomic by itself: write into a temporary folder and rename it).
     */
    public static void write(Path dir, UnetSpec spec, Map<String, float[]> weights) throws IOException {
        ObjectNode config = config(spec);
        Files.writeString(dir.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        SafeTensors.write(dir.resolve(WEIGHTS), toDiffusers(spec, weights), Map.of("format", "pt"));
    }

    /** Numbers as diffusers' JSON writes them, for messages. */
    private static final class ExportNumbers {
        static String plain(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v).toLowerCase(Locale.ROOT);
        }
    }
}
