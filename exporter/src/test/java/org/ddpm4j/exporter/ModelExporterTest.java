package org.ddpm4j.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.exporter.onnx.OnnxGraphBuilder;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeKeys;
import org.ddpm4j.runtime.probe.ProbeSettings;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExporterTest {

    private static final UnetSpec TINY = UnetSpec.preset("tiny");
    private static Map<String, float[]> weights;
    private static Path tinyFile;
    private static ExportReport tinyReport;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void exportTiny() throws IOException {
        weights = TestWeights.random(TINY, 1);
        tinyFile = shared.resolve("tiny.onnx");
        tinyReport = ModelExporter.builder().setSpec(TINY).setWeights(weights)
                .optProvenance(Map.of("step", "123", "dataset", "synthetic", "loss", "0.0312", "seed", "1", "commit", "abc123"))
                .build().export(tinyFile);
    }

    @Test
    void tinyPresetExportsAndPassesParity() throws Exception {
        ExportReport r = tinyReport;
        System.out.println("tiny: " + r.parity().summary() + ", opt on/off " + r.optimizationDiff() + ", "
                + r.bytes() + " bytes, " + r.millis() + " ms");
        assertTrue(r.parity().passed(), r.parity().summary());
        assertTrue(r.parity().maxAbsError() <= ProbeSettings.FP32_TOLERANCE);
        assertTrue(r.optimizationDiff() <= ProbeSettings.FP32_TOLERANCE);
        assertEquals(TINY.parameterCount(), r.parameterCount());
        assertEquals(Files.size(tinyFile), r.bytes());
        ProbeVerifier.Report v = ProbeVerifier.verify(tinyFile, "cpu");
        assertTrue(v.passed(), v.describe());
        assertTrue(v.result().maxAbsError() <= ProbeSettings.FP32_TOLERANCE);
    }

    /** The trainer (DJL) and the graph (ONNX) agree with diffusers/google's bottom-right downsampling padding too. */
    @Test
    void bottomRightPaddingExportsAndPassesParity() throws Exception {
        UnetSpec spec = TINY.withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT).withNormEps(1e-6);
        ExportReport r = ModelExporter.builder().setSpec(spec).setWeights(weights).build()
                .export(dir.resolve("google-padding.onnx"));
        System.out.println("tiny, padding 0: " + r.parity().summary());
        assertTrue(r.parity().passed(), r.parity().summary());
        assertTrue(r.parity().maxAbsError() <= ProbeSettings.FP32_TOLERANCE);
    }

    @Test
    void fileCarriesContractProvenanceAndProbe() throws Exception {
        ModelProto model = OnnxModelFile.read(tinyFile);
        Map<String, String> m = OnnxModelFile.metadata(model);
        assertEquals("1", m.get("ddpm.format"));
        assertEquals("epsilon", m.get("ddpm.prediction"));
        assertEquals("linear", m.get("ddpm.schedule"));
        assertEquals("1000", m.get("ddpm.timesteps"));
        assertEquals("0.0001", m.get("ddpm.beta_start"));
        assertEquals("0.02", m.get("ddpm.beta_end"));
        assertEquals("16,16", m.get("ddpm.image_size"));
        assertEquals("1", m.get("ddpm.channels"));
        assertEquals("true", m.get("ddpm.clip_sample"));
        assertEquals(TINY, ExportMetadata.specFromJson(m.get("ddpm.unet")));
        assertEquals("123", m.get("ddpm.train.step"));
        assertEquals("abc123", m.get("ddpm.train.commit"));
        assertEquals("ema", m.get("ddpm.weights"));
        assertEquals(64, m.get(ExportMetadata.WEIGHTS_SHA256).length());
        assertEquals(OnnxGraphBuilder.IR_VERSION, model.getIrVersion());
        assertEquals(OnnxGraphBuilder.OPSET, model.getOpsetImport(0).getVersion());
        Probe p = Probe.fromMetadata(m);
        assertEquals(4, p.batch());
        assertEquals(List.of(0L, 500L, 999L), List.of(p.timesteps()[0], p.timesteps()[1], p.timesteps()[2]));
        assertEquals(ModelInspection.WeightsCheck.MATCH, ModelInspection.of(tinyFile).weightsCheck());
        assertEquals(TINY.parameterCount(), ModelInspection.of(tinyFile).parameterCount());
    }

    @Test
    void editedWeightFailsVerification() throws Exception {
        ModelProto model = OnnxModelFile.read(tinyFile);
        ModelProto.Builder b = model.toBuilder();
        var graph = b.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto t = graph.getInitializer(i);
            if (t.getName().equals("out.conv.bias")) {
                ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                raw.putFloat(0, raw.getFloat(0) + 0.01f);
                graph.setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
            }
        }
        Path edited = dir.resolve("edited.onnx");
        OnnxModelFile.write(b.build(), edited);
        ProbeVerifier.Report v = ProbeVerifier.verify(edited, "cpu");
        assertFalse(v.passed(), v.describe());
        assertTrue(v.result().maxAbsError() > 0.005, v.describe());
        assertEquals(ModelInspection.WeightsCheck.MISMATCH, ModelInspection.of(edited).weightsCheck());
    }

    @Test
    void missingAndMisshapedWeightsAreRefusedListingEveryName() {
        Map<String, float[]> bad = new LinkedHashMap<>(weights);
        bad.remove("in.conv.weight");
        bad.remove("mid.attn.qkv.bias");
        bad.put("out.conv.bias", new float[5]);
        bad.put("time.fc1.weight", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelExporter.builder().setSpec(TINY).setWeights(bad).build().export(dir.resolve("bad.onnx")));
        for (String name : List.of("in.conv.weight", "mid.attn.qkv.bias", "out.conv.bias", "time.fc1.weight")) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("bad.onnx")));
    }

    @Test
    void unwritablePathLeavesNoPartialFile() throws Exception {
        Path blocker = dir.resolve("not-a-folder");
        Files.writeString(blocker, "x");
        ModelExporter exporter = ModelExporter.builder().setSpec(TINY).setWeights(weights).build();
        assertThrows(IOException.class, () -> exporter.export(blocker.resolve("model.onnx")));
        Path asDirectory = Files.createDirectory(dir.resolve("taken.onnx"));
        assertThrows(IOException.class, () -> exporter.export(asDirectory));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("not-a-folder", "taken.onnx"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void failedParityLeavesNoFile() throws Exception {
        ProbeSettings impossible = ProbeSettings.defaults().withTolerances(-1, -1, 1000);
        Path out = dir.resolve("never.onnx");
        ParityFailedException e = assertThrows(ParityFailedException.class, () -> ModelExporter.builder()
                .setSpec(TINY).setWeights(weights).optProbeSettings(impossible).build().export(out));
        assertTrue(e.getMessage().contains("max abs error"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void fp16WeightsHalveTheFileAndPassTheirTolerance() throws Exception {
        Path out = dir.resolve("tiny16.onnx");
        ExportReport r = ModelExporter.builder().setSpec(TINY).setWeights(weights).optPrecision(WeightPrecision.FP16)
                .build().export(out);
        System.out.println("tiny fp16: " + r.parity().summary() + ", " + r.bytes() + " bytes");
        assertTrue(r.parity().passed(), r.parity().summary());
        assertTrue(r.parity().maxAbsError() > 0, "fp16 rounding should show");
        assertTrue(r.bytes() < 0.6 * tinyReport.bytes(), r.bytes() + " vs " + tinyReport.bytes());
        Map<String, String> m = OnnxModelFile.metadata(OnnxModelFile.read(out));
        assertEquals("fp16", m.get(ExportMetadata.PRECISION));
        assertEquals(Double.toString(ModelExporter.FP16_TOLERANCE), m.get(ProbeKeys.TOLERANCE));
        assertTrue(ProbeVerifier.verify(out, "cpu").passed());
    }
}
