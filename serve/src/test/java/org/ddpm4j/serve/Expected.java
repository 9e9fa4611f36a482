package org.ddpm4j.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.TimestepSpacing;

/** The PNG file {@code ddpm sample} writes for one seed, drawn alone (batch 1), through the same runtime classes. */
final class Expected {

    private Expected() {
    }

    /**
     * @param label the class label, or null for the class of the seed (s mod K)
     */
    static byte[] png(DiffusionPipeline pipeline, Path modelFile, Path dir, String sampler, int steps, long seed,
            Long label, double guidance) throws Exception {
        TimestepSpacing spacing = Samplers.defaultSpacing(sampler);
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(sampler).optSteps(steps).optSpacing(spacing)
                .optSeeds(seed, 1).optBatchSize(1);
        boolean fromSeed = label == null;
        if (pipeline.info().conditional()) {
            long l = fromSeed ? ClassLabels.of(pipeline.info()).bySeed(seed) : label;
            b.optClassLabels(l).optGuidance(guidance);
        }
        GenerationRequest request = b.build();
        GenerationResult result = pipeline.generate(request);
        Map<String, String> settings = SampleFiles.settingsText(sampler, spacing.id(), 0.0, "fixed_small",
                pipeline.sampler(request).clipSample(), false, modelFile.getFileName().toString());
        if (fromSeed && pipeline.info().conditional()) {
            settings.put(SampleFiles.KEY_CLASS_FROM, "seed");
        }
        Path out = Files.createDirectories(dir.resolve("expected-" + seed + "-" + System.nanoTime()));
        List<Path> files = SampleFiles.writeImages(result, out, "sample-", pipeline.modelSha256(), settings);
        return Files.readAllBytes(files.get(0));
    }
}
