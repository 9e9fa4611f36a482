package org.ddpm4j.exporter.diffusers;

import java.util.Locale;
import java.util.Map;
import org.ddpm4j.exporter.ExportMetadata;
import org.ddpm4j.exporter.ModelSource;
import org.ddpm4j.trainer.model.DiffusersUnet;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * The {@code README.md} of an exported diffusers folder: what the model is, how it was trained, and
 * how to sample it in Python (diffusers) and in Java (ddpm4j). {@code DDPMPipeline} passes no class
 * labels, so a conditional model's Python example is a short loop over the scheduler with
 * classifier-free guidance.
 */
public final class ModelCard {

    private ModelCard() {
    }

    /** The card's Markdown. */
    public static String markdown(ModelSource source) {
        UnetSpec spec = source.spec();
        StringBuilder md = new StringBuilder();
        String size = spec.imageSize() + "x" + spec.imageSize();
        String kind = spec.inChannels() == 1 ? "grayscale" : spec.inChannels() + "-channel";
        md.append("---\nlibrary_name: diffusers\ntags:\n- ddpm\n")
                .append(spec.conditional() ? "- class-conditional\n" : "- unconditional-image-generation\n")
                .append("- ddpm4j\n---\n\n");
        md.append("# DDPM UNet exported by ddpm4j\n\n");
        md.append(String.format(Locale.ROOT, "A denoising diffusion model (Ho et al. 2020) of %s %s images: a"
                + " `UNet2DModel` of %,d parameters that predicts %s, with a `DDPMScheduler` (%s betas, T = %d). ",
                size, kind, spec.parameterCount(), predictionWords(source), schedule(source), source.schedule().timesteps()));
        if (spec.conditional()) {
            md.append(String.format(Locale.ROOT, "It is class-conditional (classifier-free guidance): %d classes,"
                    + " labels 0..%d, and label %d is the null label (no class).%s", spec.classCount(),
                    spec.classCount() - 1, spec.classCount(),
                    source.classNames().isEmpty() ? "" : " Classes in label order: " + String.join(", ", source.classNames()) + "."));
        }
        md.append("\n\nThe folder was written by ddpm4j (`ddpm export --format diffusers`) from ")
                .append(origin(source)).append(" (").append(source.weightsKind())
                .append(" weights). The UNet config maps ddpm4j's network exactly; ddpm4j's tests check diffusers ")
                .append("v").append(DiffusersUnet.DIFFUSERS_VERSION).append("'s own `UNet2DModel` against it.\n\n");

        md.append("## How it was trained\n\n| | |\n| --- | --- |\n");
        for (Map.Entry<String, String> e : source.provenance().entrySet()) {
            md.append("| ").append(e.getKey().replace('_', ' ')).append(" | ").append(e.getValue()).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "| architecture | base %d channels, multipliers %s, %d blocks per level,"
                + " attention at %s, GroupNorm %d groups (eps %s), dropout %s |\n", spec.baseChannels(), spec.channelMults(),
                spec.blocksPerLevel(), spec.attentionResolutions(), spec.groups(), ExportMetadata.plain(spec.normEps()),
                ExportMetadata.plain(spec.dropout())));

        md.append("\n## Sample it in Python (diffusers)\n\n");
        if (!spec.conditional()) {
            md.append("```python\nimport torch\nfrom diffusers import DDPMPipeline, DDIMPipeline\n\n")
                    .append("pipe = DDPMPipeline.from_pretrained(\"path/to/this/folder\")\n")
                    .append("images = pipe(batch_size=4, generator=torch.manual_seed(0)).images  # ")
                    .append(source.schedule().timesteps()).append(" steps, PIL images\n\n")
                    .append("ddim = DDIMPipeline.from_pretrained(\"path/to/this/folder\")  # same weights, 50 DDIM steps\n")
                    .append("images = ddim(batch_size=4, num_inference_steps=50, eta=0.0).images\n```\n");
        } else {
            md.append("`DDPMPipeline` passes no class labels, so sample with the scheduler directly"
                    + " (classifier-free guidance with weight `w`):\n\n");
            md.append("```python\nimport torch\nfrom diffusers import UNet2DModel, DDIMScheduler\n\n")
                    .append("folder = \"path/to/this/folder\"\n")
                    .append("unet = UNet2DModel.from_pretrained(folder, subfolder=\"unet\").eval()\n")
                    .append("scheduler = DDIMScheduler.from_pretrained(folder, subfolder=\"scheduler\")\n")
                    .append("scheduler.set_timesteps(50)\n")
                    .append("labels = torch.tensor([0, 1, 2, 3])                    # the classes to draw\n")
                    .append("null = torch.full_like(labels, ").append(spec.classCount()).append(")               # the null label\n")
                    .append("w = 2.0                                                  # guidance weight (1 = conditional only)\n")
                    .append("x = torch.randn(len(labels), ").append(spec.inChannels()).append(", ").append(spec.imageSize())
                    .append(", ").append(spec.imageSize()).append(", generator=torch.manual_seed(0))\n")
                    .append("with torch.no_grad():\n")
                    .append("    for t in scheduler.timesteps:\n")
                    .append("        both = unet(torch.cat([x, x]), t, class_labels=torch.cat([null, labels])).sample\n")
                    .append("        uncond, cond = both.chunk(2)\n")
                    .append("        x = scheduler.step(uncond + w * (cond - uncond), t, x).prev_sample\n")
                    .append("images = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)  # [B, C, H, W]\n```\n");
        }
        md.append("\n## Sample it in Java (ddpm4j)\n\n```sh\n")
                .append("ddpm import path/to/this/folder --out model.onnx   # verified ONNX file with the ddpm.* metadata\n")
                .append("ddpm sample --model model.onnx -n 16 --grid --out samples/");
        if (spec.conditional()) {
            md.append(" --class 0 --guidance 2");
        }
        md.append("\n```\n\nThe ONNX file runs on ddpm4j's lean runtime jar (ONNX Runtime, no PyTorch), from the"
                + " command line or its `DiffusionPipeline` Java API.\n");
        return md.toString();
    }

    /** Where the weights came from, without local paths. */
    private static String origin(ModelSource source) {
        Map<String, String> p = source.provenance();
        if ("diffusers".equals(p.get("source")) && p.containsKey("folder")) {
            return "the diffusers folder " + p.get("folder");
        }
        if (p.containsKey("checkpoint")) {
            return "a ddpm4j checkpoint" + (p.containsKey("step") ? " of step " + p.get("step") : "");
        }
        return source.description();
    }

    private static String predictionWords(ModelSource source) {
        return switch (source.prediction()) {
            case EPSILON -> "the added noise (epsilon)";
            case SAMPLE -> "the clean image (x_0)";
            case V -> "v (v_prediction)";
        };
    }

    private static String schedule(ModelSource source) {
        var s = source.schedule();
        return s.type().usesBetaRange()
                ? DiffusersScheduler.betaSchedule(s.type()) + " " + ExportMetadata.plain(s.betaStart()) + ".."
                        + ExportMetadata.plain(s.betaEnd())
                : "cosine (squaredcos_cap_v2)";
    }
}
