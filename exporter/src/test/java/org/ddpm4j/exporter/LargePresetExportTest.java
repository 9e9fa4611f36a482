package org.ddpm4j.exporter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import org.ddpm4j.runtime.probe.ProbeSettings;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped presets export and pass parity (minutes on two cores: tagged slow). */
@Tag("slow")
class LargePresetExportTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"fashion, fp32", "fashion, fp16", "ddpm-cifar, fp32", "tinyimagenet64, fp32", "tinyimagenet64, fp16"})
    void presetExportsAndPassesParity(String preset, String precision) throws Exception {
        UnetSpec spec = UnetSpec.preset(preset);
        WeightPrecision p = WeightPrecision.fromId(precision);
        Path out = dir.resolve(preset + "-" + precision + ".onnx");
        ExportReport r = ModelExporter.builder().setSpec(spec).setWeights(TestWeights.random(spec, 42))
                .optPrecision(p).build().export(out);
        System.out.printf("%s %s: %s; opt on/off %.3e; %,d params; %.1f MB; export %.1f s%n", preset, precision,
                r.parity().summary(), r.optimizationDiff(), r.parameterCount(), r.bytes() / 1048576.0, r.millis() / 1000.0);
        assertTrue(r.parity().passed(), r.parity().summary());
        if (p == WeightPrecision.FP32) {
            assertTrue(r.parity().maxAbsError() <= ProbeSettings.FP32_TOLERANCE, r.parity().summary());
        }
        long t0 = System.nanoTime();
        ProbeVerifier.Report v = ProbeVerifier.verify(out, "cpu");
        System.out.printf("%s %s verify (%.1f s):%n%s%n", preset, precision, (System.nanoTime() - t0) / 1e9, v.describe());
        assertTrue(v.passed(), v.describe());
    }
}
