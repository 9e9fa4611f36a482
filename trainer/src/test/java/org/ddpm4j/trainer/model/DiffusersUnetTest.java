package org.ddpm4j.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.checkpoint.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The UnetSpec <-> UNet2DModel mapping: configs, names, shapes and the refusals (one line each). */
class DiffusersUnetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyPresetMapsToAConfigAndBack() {
        for (String preset : UnetSpec.PRESETS) {
            UnetSpec spec = UnetSpec.preset(preset);
            assertEquals(spec, DiffusersUnet.spec(DiffusersUnet.config(spec)), preset);
            UnetSpec google = spec.withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT).withNormEps(1e-6).withClassCount(10);
            assertEquals(google, DiffusersUnet.spec(DiffusersUnet.config(google)), preset);
        }
    }

    /** The shipped model's structure, as the DESIGN field note found it in diffusers' UNet2DModel. */
    @Test
    void fashionConfigIsTheDdpmUnet() {
        ObjectNode c = DiffusersUnet.config(UnetSpec.preset("fashion").withClassCount(10));
        assertEquals("[\"DownBlock2D\",\"DownBlock2D\",\"AttnDownBlock2D\"]", c.get("down_block_types").toString());
        assertEquals("[\"AttnUpBlock2D\",\"UpBlock2D\",\"UpBlock2D\"]", c.get("up_block_types").toString());
        assertEquals("[32,64,64]", c.get("block_out_channels").toString());
        assertEquals(64, c.get("attention_head_dim").asInt());
        assertEquals(11, c.get("num_class_embeds").asInt());
        assertFalse(c.get("flip_sin_to_cos").asBoolean());
        assertEquals(1, c.get("freq_shift").asInt());
        assertEquals(1, c.get("downsample_padding").asInt());
    }

    /** Every ddpm4j tensor lands in diffusers' names and shapes and comes back unchanged; qkv is split in three. */
    @Test
    void weightsRoundTripUnderDiffusersNames() {
        UnetSpec spec = UnetSpec.preset("tiny").withClassCount(3);
        Map<String, float[]> w = new LinkedHashMap<>();
        GaussianNoise rng = new GaussianNoise(4);
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextGaussian();
            }
            w.put(p.name(), v);
        }
        Map<String, SafeTensors.Tensor> d = DiffusersUnet.toDiffusers(spec, w);
        assertEquals(spec.parameterCount(), d.values().stream().mapToLong(t -> t.data().length).sum());
        assertArrayEquals(new long[] {32, 32}, d.get("down_blocks.1.attentions.0.to_k.weight").shape());
        assertArrayEquals(java.util.Arrays.copyOfRange(w.get("down.1.attn.0.qkv.weight"), 32 * 32, 2 * 32 * 32),
                d.get("down_blocks.1.attentions.0.to_k.weight").data());
        assertArrayEquals(new long[] {32, 32}, d.get("mid_block.attentions.0.to_out.0.weight").shape());
        assertTrue(d.containsKey("up_blocks.0.upsamplers.0.conv.weight"));     // up level 1 = diffusers' up block 0
        assertTrue(d.containsKey("down_blocks.0.downsamplers.0.conv.bias"));
        assertTrue(d.containsKey("up_blocks.1.resnets.0.conv_shortcut.weight"));
        assertTrue(d.containsKey("class_embedding.weight"));
        Map<String, float[]> back = DiffusersUnet.fromDiffusers(spec, d, "test");
        for (String name : w.keySet()) {
            assertArrayEquals(w.get(name), back.get(name), name);
        }
        // diffusers' loader still accepts its older attention names, and so does ddpm4j
        Map<String, SafeTensors.Tensor> old = new LinkedHashMap<>();
        d.forEach((k, v) -> old.put(k.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn."), v));
        assertArrayEquals(w.get("mid.attn.qkv.bias"), DiffusersUnet.fromDiffusers(spec, old, "test").get("mid.attn.qkv.bias"));
    }

    @Test
    void missingMisshapedAndUnexpectedTensorsAreListed() {
        UnetSpec spec = UnetSpec.preset("tiny");
        Map<String, float[]> w = new LinkedHashMap<>();
        spec.parameters().forEach(p -> w.put(p.name(), new float[(int) p.size()]));
        Map<String, SafeTensors.Tensor> d = new LinkedHashMap<>(DiffusersUnet.toDiffusers(spec, w));
        d.remove("conv_in.bias");
        d.put("conv_out.bias", new SafeTensors.Tensor(new long[] {2}, new float[2]));
        d.put("extra.weight", new SafeTensors.Tensor(new long[] {1}, new float[1]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusersUnet.fromDiffusers(spec, d, "f.safetensors"));
        assertEquals("f.safetensors does not hold the weights of its config's UNet2DModel: missing 1: conv_in.bias;"
                + " misshaped 1: conv_out.bias [2] (expected [1]); unexpected 1: extra.weight", e.getMessage());
    }

    /** Each refusal is one line naming the key and its value. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "flip_sin_to_cos|true|flip_sin_to_cos = true",
        "freq_shift|0|freq_shift = 0",
        "resnet_time_scale_shift|\"scale_shift\"|resnet_time_scale_shift = \"scale_shift\"",
        "attention_head_dim|8|attention_head_dim = 8, ddpm4j computes exactly only null or the attention blocks' width 64: that gives 8 heads",
        "down_block_types|[\"DownBlock2D\",\"CrossAttnDownBlock2D\",\"AttnDownBlock2D\"]|down_block_types holds \"CrossAttnDownBlock2D\"",
        "up_block_types|[\"UpBlock2D\",\"UpBlock2D\",\"UpBlock2D\"]|up_block_types = [\"UpBlock2D\",\"UpBlock2D\",\"UpBlock2D\"]",
        "downsample_padding|2|downsample_padding = 2",
        "time_embedding_type|\"fourier\"|time_embedding_type = \"fourier\"",
        "class_embed_type|\"timestep\"|class_embed_type = \"timestep\"",
        "center_input_sample|true|center_input_sample = true",
        "act_fn|\"gelu\"|act_fn = \"gelu\"",
        "block_out_channels|[32,48,64]|block_out_channels = [32,48,64]",
        "sample_size|[32,16]|sample_size = [32,16]",
        "upcast_attention|true|upcast_attention = true",
        "mid_block_scale_factor|1.4142|mid_block_scale_factor = 1.4142"})
    void unsupportedConfigsAreRefusedNamingKeyAndValue(String key, String value, String expected) throws Exception {
        ObjectNode c = DiffusersUnet.config(UnetSpec.preset("fashion"));
        c.set(key, JSON.readTree(value));
        DiffusersUnet.UnsupportedConfigException e = assertThrows(DiffusersUnet.UnsupportedConfigException.class,
                () -> DiffusersUnet.spec(c));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Absent keys take UNet2DModel's defaults, which differ from ddpm4j's embedding. */
    @Test
    void anAbsentFlipTakesDiffusersDefaultAndIsRefused() {
        ObjectNode c = DiffusersUnet.config(UnetSpec.preset("fashion"));
        c.remove("flip_sin_to_cos");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DiffusersUnet.spec(c)).getMessage()
                .contains("flip_sin_to_cos = true, ddpm4j computes exactly only false"));
        ObjectNode d = DiffusersUnet.config(UnetSpec.preset("fashion"));
        d.remove("attention_head_dim"); // default 8: 8 heads at width 64
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DiffusersUnet.spec(d)).getMessage()
                .contains("attention_head_dim = 8"));
    }

    @Test
    void aPickleIsNeverReadAndSaysHowToConvert() throws Exception {
        Files.writeString(dir.resolve(DiffusersUnet.CONFIG), DiffusersUnet.config(UnetSpec.preset("tiny")).toString());
        Files.write(dir.resolve(DiffusersUnet.PICKLE_WEIGHTS), new byte[] {(byte) 0x80, 2});
        assertTrue(DiffusersUnet.isDiffusersFolder(dir));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiffusersUnet.read(dir));
        assertTrue(e.getMessage().contains("is a pickle, which can run code when loaded")
                && e.getMessage().contains("save_pretrained(folder, safe_serialization=True)"), e.getMessage());
    }

    @Test
    void aFolderWrittenReadsBackTheSameModel() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny").withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT);
        Map<String, float[]> w = new LinkedHashMap<>();
        spec.parameters().forEach(p -> w.put(p.name(), new float[(int) p.size()]));
        w.get("out.conv.bias")[0] = 0.25f;
        Path unet = Files.createDirectories(dir.resolve("pipeline/unet"));
        DiffusersUnet.write(unet, spec, w);
        DiffusersUnet.Loaded loaded = DiffusersUnet.read(dir.resolve("pipeline"));
        assertEquals(spec, loaded.spec());
        assertEquals(0.25f, loaded.weights().get("out.conv.bias")[0]);
        assertEquals(List.copyOf(w.keySet()), List.copyOf(loaded.weights().keySet()));
    }
}
