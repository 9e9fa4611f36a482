package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.exporter.ExportReport;
import org.ddpm4j.exporter.ModelSource;
import org.ddpm4j.exporter.ParityFailedException;
import org.ddpm4j.exporter.diffusers.DiffusersPipeline;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import org.ddpm4j.trainer.model.DiffusersUnet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm import FOLDER --out model.onnx}: a Hugging Face diffusers folder (a {@code DDPMPipeline}
 * folder, or a {@code UNet2DModel} folder) to one verified ONNX file with the {@code ddpm.*} metadata,
 * through the same exporter and parity probe as {@code ddpm export}. A config that ddpm4j cannot
 * compute exactly is refused with one line naming the key and value; pickle weights are never read.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a Hugging Face diffusers UNet2DModel (a DDPMPipeline folder or its unet/ folder) as"
                + " one verified ONNX file.",
                "  ddpm import google-ddpm-cifar10-32/ --out cifar10.onnx",
                "  ddpm import my-unet/ --scheduler-config scheduler_config.json --out model.onnx"})
public final class ImportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FOLDER",
            description = "a diffusers pipeline folder (model_index.json, unet/, scheduler/) or a UNet2DModel folder"
                    + " (config.json, diffusion_pytorch_model.safetensors)")
    Path folder;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the ONNX file to write")
    Path out;

    @Option(names = "--scheduler-config", paramLabel = "FILE",
            description = "the scheduler_config.json that gives the schedule, prediction type and clipping (default:"
                    + " the pipeline's scheduler/scheduler_config.json, else DDPMScheduler's defaults)")
    Path schedulerConfig;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16",
            description = "weight storage of the ONNX file (default: ${DEFAULT-VALUE})")
    String precision;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WeightPrecision p = WeightPrecision.fromId(precision);
        if (!DiffusersUnet.isDiffusersFolder(folder)) {
            throw new IllegalArgumentException(folder + " is not a diffusers folder: expected model_index.json and"
                    + " unet/, or config.json with " + DiffusersUnet.WEIGHTS);
        }
        if (schedulerConfig != null && !Files.isRegularFile(schedulerConfig)) {
            throw new IllegalArgumentException("--scheduler-config " + schedulerConfig + " is not a file");
        }
        OutputChecks.writableFile("--out", out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf("importing %s to %s (%s) ...%n", folder, out, p);
        o.flush();
        ModelSource source = DiffusersPipeline.read(folder, schedulerConfig);
        o.printf(Locale.ROOT, "  UNet2DModel: %dx%d, %d channels, widths %s, %d blocks per level, attention at %s,"
                + " downsample padding %d, norm eps %s%s%n", source.spec().imageSize(), source.spec().imageSize(),
                source.spec().inChannels(), widths(source), source.spec().blocksPerLevel(),
                source.spec().attentionResolutions(), source.spec().downsamplePadding(),
                org.ddpm4j.exporter.ExportMetadata.plain(source.spec().normEps()),
                source.spec().conditional() ? ", " + source.spec().classCount() + " classes" : "");
        o.printf(Locale.ROOT, "  scheduler: %s, T = %d, %s prediction, clip %s (%s)%n", source.schedule().type().id(),
                source.schedule().timesteps(), source.prediction().id(), source.clipSample(),
                source.provenance().get("scheduler_config"));
        o.flush();
        ExportReport r;
        try {
            r = source.onnxExporter().optPrecision(p).optProgress(stage -> {
                o.println("  " + stage + " ...");
                o.flush();
            }).build().export(out);
        } catch (ParityFailedException e) {
            throw new CheckFailedException(e.getMessage());
        }
        ExportCommand.printReport(o, r);
        return 0;
    }

    private static String widths(ModelSource source) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < source.spec().levels(); i++) {
            b.append(i == 0 ? "" : ", ").append(source.spec().levelChannels(i));
        }
        return b.append(']').toString();
    }
}
