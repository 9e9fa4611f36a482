package org.ddpm4j.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeKeys;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A class-conditional UNet exported with its class_label input, metadata and a probe over real and null labels. */
class ConditionalExportTest {

    static final UnetSpec SPEC = UnetSpec.preset("tiny").withClassCount(3);

    @Test
    void conditionalModelExportsWithLabelsAndPassesParity(@TempDir Path dir) throws Exception {
        Map<String, float[]> weights = TestWeights.random(SPEC, 5);
        Path file = dir.resolve("cond.onnx");
        ExportReport r = ModelExporter.builder().setSpec(SPEC).setWeights(weights)
                .optClassNames(List.of("dark", "bright", "t-shirt/top")).build().export(file);
        assertTrue(r.parity().passed(), r.parity().summary());
        Map<String, String> meta = OnnxModelFile.metadata(OnnxModelFile.read(file));
        assertEquals("3", meta.get(MetadataKeys.CLASS_COUNT));
        assertEquals("dark,bright,t-shirt/top", meta.get(MetadataKeys.CLASS_NAMES));
        Probe probe = Probe.fromMetadata(meta);
        assertArrayEquals(new long[] {0, 3, 1, 3}, probe.labels(), "real labels and the null label");
        assertEquals("2.0", meta.get(ProbeKeys.TRAJECTORY_GUIDANCE));
        ProbeVerifier.Report v = ProbeVerifier.verify(file, "cpu");
        assertTrue(v.passed(), v.describe());

        float[] x = new float[4 * 256];
        new GaussianNoise(9).fill(x);
        long[] ts = {0, 250, 500, 999};
        long[] labels = {2, 1, 0, 3};
        try (OnnxDenoiser ort = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS);
                UnetModel djl = UnetModel.fromWeights(SPEC, weights)) {
            assertEquals(3, ort.classCount());
            assertEquals("int64", ort.signature().classLabel());
            float[] a = new float[x.length];
            float[] b = new float[x.length];
            ort.predict(x, ts, labels, a);
            djl.denoiser().predict(x, ts, labels, b);
            assertTrue(ModelExporter.compare(djl.denoiser(), ort, x, ts) < 1e-4);
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-4, "value " + i);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ort.predict(x, ts, new long[] {0, 1, 4, 0}, new float[x.length]));
            assertTrue(e.getMessage().contains("class label 4 is out of range: expected 0..2 (or 3, the null label)"),
                    e.getMessage());
        }
        try (DiffusionPipeline p = DiffusionPipeline.open(file, OnnxOptions.DEFAULTS)) {
            ClassLabels classes = ClassLabels.of(p.info());
            assertEquals(2, classes.resolve("T-Shirt/Top"));
            assertEquals(1, classes.resolve("1"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> classes.resolve("sneaker"));
            assertEquals("unknown class 'sneaker': expected a label 0..2 or one of the names (0=dark, 1=bright,"
                    + " 2=t-shirt/top)", e.getMessage());
            GenerationResult guided = p.generate(GenerationRequest.builder().optSampler("ddim").optSteps(4)
                    .optSeeds(3, 2).optClassLabels(1).optGuidance(2.5).build());
            assertEquals(2, guided.count());
        }
    }

    @Test
    void unconditionalExportIsUnchanged(@TempDir Path dir) throws Exception {
        UnetSpec plain = UnetSpec.preset("tiny");
        assertTrue(!ExportMetadata.specJson(plain).contains("classCount"), ExportMetadata.specJson(plain));
        assertTrue(ExportMetadata.specJson(SPEC).contains("\"classCount\":3"), ExportMetadata.specJson(SPEC));
        assertEquals(SPEC, ExportMetadata.specFromJson(ExportMetadata.specJson(SPEC)));
        assertEquals(plain, ExportMetadata.specFromJson(ExportMetadata.specJson(plain)));
    }
}
