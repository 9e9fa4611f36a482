package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.exporter.ModelExporter;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.ddpm4j.tools.SampleAndAdoptCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyInspectCommandTest {

    @TempDir
    static Path dir;
    static Path model;

    static Run ddpm(String... args) {
        return SampleAndAdoptCommandTest.run(args);
    }

    /** Seeded weights with every layer non-zero. */
    static Map<String, float[]> randomWeights(UnetSpec spec, long seed) {
        GaussianNoise rng = new GaussianNoise(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = new float[Math.toIntExact(p.size())];
            double scale = p.shape().length == 1 ? 0.1 : 1.0 / Math.sqrt(p.size() / (double) p.shape()[0]);
            double base = p.shape().length == 1 && p.name().contains("norm") && p.name().endsWith(".weight") ? 1 : 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (base + scale * rng.nextGaussian());
            }
            w.put(p.name(), v);
        }
        return w;
    }

    @BeforeAll
    static void export() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny");
        model = dir.resolve("tiny.onnx");
        ModelExporter.builder().setSpec(spec).setWeights(randomWeights(spec, 3)).build().export(model);
    }

    @Test
    void verifyPassesOnAnExportedModel() {
        Run r = ddpm("verify", "--model", model.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("forward: max abs error"), r.out());
        assertTrue(r.out().contains("PSNR"), r.out());
        assertTrue(r.out().contains("graph optimizations on vs off"), r.out());
        assertTrue(r.out().trim().endsWith("PASS"), r.out());
    }

    @Test
    void verifyFailsWithExitThreeWhenAWeightWasEdited() throws Exception {
        ModelProto.Builder b = OnnxModelFile.read(model).toBuilder();
        var graph = b.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto t = graph.getInitializer(i);
            if (t.getName().equals("mid.res1.conv1.weight")) {
                ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                raw.putFloat(4, raw.getFloat(4) + 0.5f);
                graph.setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
            }
        }
        Path edited = dir.resolve("edited.onnx");
        OnnxModelFile.write(b.build(), edited);
        Run r = ddpm("verify", "--model", edited.toString());
        assertEquals(DdpmCommand.EXIT_CHECK_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("FAIL"), r.err());
        assertTrue(r.err().contains("fingerprint"), r.err());
    }

    @Test
    void verifyOfAMissingFileIsBadInput() {
        Run r = ddpm("verify", "--model", dir.resolve("nope.onnx").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("nope.onnx"), r.err());
    }

    @Test
    void inspectShowsContractInputsParametersAndProbe() {
        Run r = ddpm("inspect", model.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String o = r.out();
        assertTrue(o.contains("ddpm.format = 1"), o);
        assertTrue(o.contains("ddpm.image_size = 16,16"), o);
        assertTrue(o.contains("input:  sample float32 [batch, 1, 16, 16]"), o);
        assertTrue(o.contains("input:  timestep int64 [batch]"), o);
        assertTrue(o.contains("output: prediction float32 [batch, 1, 16, 16]"), o);
        assertTrue(o.contains(String.format(java.util.Locale.ROOT, "parameters: %,d", UnetSpec.preset("tiny").parameterCount())), o);
        assertTrue(o.contains("weights fingerprint: matches"), o);
        assertTrue(o.contains("probe: Probe[shape=4,1,16,16"), o);
    }
}
