package org.ddpm4j.tools;

import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ddpm4j.exporter.ExportMetadata;
import org.ddpm4j.exporter.ModelInspection;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ddpm inspect m.onnx}: contract metadata, inputs and outputs, parameter count, probe summary. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what an ONNX model file holds: contract metadata, inputs/outputs, parameters, probe.")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the ONNX file")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (java.nio.file.Files.isRegularFile(model) && java.nio.file.Files.size(model) == 0) {
            throw new java.io.IOException(model + " is empty (0 bytes), expected an ONNX model file");
        }
        ModelInspection m = ModelInspection.of(model);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "file: %s (%s)%n", model, ExportCommand.size(m.bytes()));
        out.printf(Locale.ROOT, "format: ONNX IR %d, opset %d, producer %s, %d nodes%n", m.irVersion(), m.opset(),
                m.producer().isEmpty() ? "unknown" : m.producer(), m.nodeCount());
        m.inputs().forEach(i -> out.println("input:  " + i));
        m.outputs().forEach(o -> out.println("output: " + o));
        out.printf(Locale.ROOT, "parameters: %,d%n", m.parameterCount());
        out.println("metadata:");
        for (Map.Entry<String, String> e : m.metadata().entrySet()) {
            if (!e.getKey().startsWith(ProbeKeys.PREFIX)) {
                out.printf("  %s = %s%n", e.getKey(), e.getValue());
            }
        }
        out.println("weights fingerprint: " + switch (m.weightsCheck()) {
            case MATCH -> "matches " + ExportMetadata.WEIGHTS_SHA256;
            case MISMATCH -> "DOES NOT MATCH " + ExportMetadata.WEIGHTS_SHA256 + " (weights changed after export)";
            case NOT_RECORDED -> "not recorded";
        });
        if (Probe.isPresent(m.metadata())) {
            Probe p = Probe.fromMetadata(m.metadata());
            out.printf(Locale.ROOT, "probe: %s%n", p);
            out.printf(Locale.ROOT, "probe: recorded by %s; max abs error at export %s%n", p.recordedBy(),
                    m.metadata().getOrDefault(ProbeKeys.EXPORT_MAX_ABS_ERROR, "n/a"));
            float[] e = p.expected();
            out.printf(Locale.ROOT, "probe: first outputs %.5f %.5f %.5f %.5f; run 'ddpm verify --model %s' to re-check%n",
                    e[0], e[1], e[2], e[3], model);
        } else {
            out.println("probe: none (not written by ddpm export)");
        }
        return 0;
    }
}
