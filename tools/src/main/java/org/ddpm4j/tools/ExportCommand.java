package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.exporter.CheckpointExport;
import org.ddpm4j.exporter.ExportReport;
import org.ddpm4j.exporter.LiveParity;
import org.ddpm4j.exporter.ModelSource;
import org.ddpm4j.exporter.diffusers.DiffusersPipeline;
import org.ddpm4j.exporter.ParityFailedException;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm export --checkpoint runs/x/last --out models/x.onnx [--weights ema|raw] [--precision fp32|fp16]}:
 * writes the noise predictor as one ONNX file with contract metadata and a probe, after proving parity
 * with the trainer (exit 3 and no file when parity fails). {@code --format diffusers} writes a Hugging Face
 * diffusers {@code DDPMPipeline} folder instead; {@code --checkpoint} also takes a diffusers folder.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a checkpoint's noise predictor as one self-verifying ONNX file, or as a Hugging Face"
                + " diffusers DDPMPipeline folder (--format diffusers).",
                "  ddpm export --checkpoint runs/fashion/last --out model.onnx",
                "  ddpm export --checkpoint runs/fashion/last --format diffusers --out fashion-diffusers/"})
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a checkpoint folder, a run's 'last' link, a run folder, or a diffusers folder"
                    + " (model_index.json + unet/ + scheduler/, or a UNet2DModel folder)")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE|DIR",
            description = "the ONNX file to write (a folder with --format diffusers)")
    Path out;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "onnx|diffusers",
            description = "onnx: one verified ONNX file; diffusers: a DDPMPipeline folder (model_index.json,"
                    + " unet/ safetensors, scheduler/, README.md model card) (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--weights", defaultValue = "ema", paramLabel = "ema|raw",
            description = "EMA or raw trained weights (default: ${DEFAULT-VALUE})")
    String weights;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16",
            description = "weight storage; fp16 stores weights as float16 cast to float32 in the graph, inputs, outputs "
                    + "and arithmetic stay float32 (default: ${DEFAULT-VALUE})")
    String precision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WeightPrecision p = WeightPrecision.fromId(precision);
        if (!weights.equalsIgnoreCase("ema") && !weights.equalsIgnoreCase("raw")) {
            throw new IllegalArgumentException("--weights must be ema or raw, found '" + weights + "'");
        }
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("onnx") && !f.equals("diffusers")) {
            throw new IllegalArgumentException("--format must be onnx or diffusers, found '" + format + "'");
        }
        if (f.equals("diffusers")) {
            if (p != WeightPrecision.FP32) {
                throw new IllegalArgumentException("--precision " + precision + " applies to ONNX files only; a diffusers"
                        + " folder holds float32 safetensors (convert with torch_dtype=torch.float16 when loading)");
            }
            return exportDiffusers();
        }
        OutputChecks.writableFile("--out", out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("exporting %s (%s weights, %s) to %s ...%n", checkpoint, weights.toLowerCase(Locale.ROOT), p, out);
        o.flush();
        ExportReport r;
        try {
            r = CheckpointExport.export(checkpoint, out, weights, p, stage -> {
                o.println("  " + stage + " ...");
                o.flush();
            });
        } catch (ParityFailedException e) {
            throw new CheckFailedException(e.getMessage());
        }
        printReport(o, r);
        return 0;
    }

    private Integer exportDiffusers() throws Exception {
        Path target = out.toAbsolutePath().normalize();
        DiffusersPipeline.checkTarget(target);
        OutputChecks.writableFolder("--out folder", target.getParent());
        PrintWriter o = spec.commandLine().getOut();
        o.printf("exporting %s (%s weights) as a diffusers folder %s ...%n", checkpoint, weights.toLowerCase(Locale.ROOT), out);
        o.flush();
        ModelSource source = ModelSource.open(checkpoint, weights);
        DiffusersPipeline.Report r = DiffusersPipeline.write(source, out, stage -> {
            o.println("  " + stage + " ...");
            o.flush();
        });
        o.printf(Locale.ROOT, "wrote %s: model_index.json, unet/ (%,d parameters, %s), scheduler/, README.md;"
                + " weights read back identical%n", r.folder(), r.parameterCount(), size(r.bytes()));
        o.printf(Locale.ROOT, "export time: %.1f s%n", r.millis() / 1000.0);
        return 0;
    }

    /** Prints an ONNX export's parity, size and time (also used by {@code ddpm import}). */
    static void printReport(PrintWriter o, ExportReport r) {
        o.printf(Locale.ROOT, "parity (ONNX Runtime vs trainer): %s%n", r.parity().summary());
        o.printf(Locale.ROOT, "graph optimizations on vs off: max abs difference %.3e%n", r.optimizationDiff());
        o.printf(Locale.ROOT, "wrote %s: %s, %,d parameters (%s), weights sha256 %s%n", r.file(), size(r.bytes()),
                r.parameterCount(), r.precision(), r.weightsSha256().substring(0, 16) + "...");
        o.printf(Locale.ROOT, "export time: %.1f s%n", r.millis() / 1000.0);
    }

    /** Compares a model file with a checkpoint on fresh random inputs (used by {@code verify --checkpoint}). */
    static LiveParity.Result compareWithCheckpoint(Path model, Path checkpoint, String weights, String device,
            double tolerance) throws java.io.IOException {
        return CheckpointExport.compare(model, checkpoint, weights, device, tolerance);
    }

    /** "1.2 MB". */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }
}
