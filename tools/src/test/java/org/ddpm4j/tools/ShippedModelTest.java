package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import org.junit.jupiter.api.Test;

/** The models the repository ships still pass their embedded probes and follow the contract. */
class ShippedModelTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void fashionMnistModelPassesItsProbe() throws Exception {
        Path model = ROOT.resolve(SampleCommand.SHIPPED_MODEL);
        assertTrue(Files.isRegularFile(model), "the shipped model is missing: " + model);
        ProbeVerifier.Report report = ProbeVerifier.verify(model, "cpu");
        assertTrue(report.passed(), report.describe());
        try (OnnxDenoiser d = OnnxDenoiser.open(model, OnnxOptions.DEFAULTS)) {
            ModelInfo info = d.info();
            assertEquals(1, info.channels());
            assertEquals(32, info.height());
            assertEquals(32, info.width());
            Map<String, String> meta = info.metadata();
            assertEquals("ema", meta.get("ddpm.weights"));
            assertEquals("fashion-mnist", meta.get("ddpm.train.dataset"));
        }
    }

    @Test
    void ddpmSampleWithoutArgumentsFindsTheShippedModel() {
        assertEquals(ROOT.resolve(SampleCommand.SHIPPED_MODEL),
                ShippedFiles.find(SampleCommand.SHIPPED_MODEL).orElseThrow());
    }
}
