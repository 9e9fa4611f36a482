package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.exporter.LiveParity;
import org.ddpm4j.exporter.ModelInspection;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.probe.ProbeVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm verify --model m.onnx [--device cpu] [--checkpoint dir]}: re-runs the embedded probe with
 * ONNX Runtime alone, checks graph optimizations on and off agree and the weights still match their
 * fingerprint; with a checkpoint, also compares against the live trainer model on fresh random inputs.
 * Exit code 3 when a check fails.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Re-run an exported model's embedded probe with ONNX Runtime and say PASS or FAIL (exit 3).")
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "the ONNX file")
    Path model;

    /** --device: where ONNX Runtime runs the file (the probe, and the comparison with --checkpoint). */
    @Mixin
    DeviceOption device;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "also compare with this trainer checkpoint on fresh random inputs")
    Path checkpoint;

    @Option(names = "--weights", paramLabel = "ema|raw",
            description = "with --checkpoint: which weights to compare (default: the file's ddpm.weights, else ema)")
    String weights;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> failures = new ArrayList<>();
        ProbeVerifier.Report report = ProbeVerifier.verify(model, device.value());
        out.println(report.describe());
        if (!report.result().passed()) {
            failures.add("probe outside tolerance (" + report.result().summary() + ")");
        }
        if (!(report.optimizationDiff() <= report.probe().tolerance())) {
            failures.add(String.format(Locale.ROOT, "graph optimizations on vs off differ by %.3e", report.optimizationDiff()));
        }
        ModelInspection.WeightsCheck fingerprint = ModelInspection.of(model).weightsCheck();
        out.println("weights fingerprint: " + fingerprint.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (fingerprint == ModelInspection.WeightsCheck.MISMATCH) {
            failures.add("weights differ from the fingerprint recorded at export");
        }
        if (checkpoint != null) {
            String kind = weights != null ? weights
                    : org.ddpm4j.exporter.onnx.OnnxModelFile.metadata(org.ddpm4j.exporter.onnx.OnnxModelFile.read(model)).getOrDefault(
                            org.ddpm4j.exporter.ExportMetadata.WEIGHTS, "ema");
            out.println("comparing with the checkpoint's " + kind + " weights");
            LiveParity.Result live = ExportCommand.compareWithCheckpoint(model, checkpoint, kind, device.value(), report.probe().tolerance());
            out.println(live.describe());
            if (!live.passed()) {
                failures.add("differs from checkpoint " + checkpoint + " (" + live.describe() + ")");
            }
        }
        if (!failures.isEmpty()) {
            throw new CheckFailedException("FAIL: " + String.join("; ", failures));
        }
        out.println("PASS");
        return 0;
    }
}
