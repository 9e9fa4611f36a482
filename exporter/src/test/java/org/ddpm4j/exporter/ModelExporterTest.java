package org.ddpm4j.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExporterTest {

    @TempDir
    Path dir;

    @Test
    void tinyPresetExportsAndPassesParity() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny");
        Path out = dir.resolve("tiny.onnx");
        ExportReport r = ModelExporter.builder().setSpec(spec).setWeights(TestWeights.random(spec, 1)).build().export(out);
        System.out.println("tiny: " + r.parity().summary() + ", opt diff " + r.optimizationDiff() + ", " + r.bytes() + " bytes, " + r.millis() + " ms");
        assertTrue(r.parity().passed(), r.parity().summary());
        assertTrue(r.parity().maxAbsError() <= 1e-4);
        ProbeVerifier.Report v = ProbeVerifier.verify(out, "cpu");
        System.out.println(v.describe());
        assertTrue(v.passed());
        assertEquals(spec.parameterCount(), r.parameterCount());
    }
}
