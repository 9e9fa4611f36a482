package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.onnx.TestModels;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionPipelineTest {

    static final ModelInfo INFO = ModelInfo.of(Prediction.EPSILON, NoiseSchedule.linear(200, 1e-4, 0.1), 8, 8, 1,
            true);
    static DiffusionPipeline pipeline;

    @BeforeAll
    static void open() throws IOException {
        pipeline = DiffusionPipeline.open(TestModels.gaussianEpsilon(INFO, 0.2, 0.4), "gauss.onnx",
                OnnxOptions.DEFAULTS.withThreads(1));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static GenerationRequest.Builder request() {
        return GenerationRequest.builder().optSampler("ddim").optSteps(12).optEta(0.5).optSeeds(40, 5).optBatchSize(2);
    }

    @Test
    void readsEverythingFromTheMetadataAndReportsProgress() {
        AtomicLong last = new AtomicLong();
        GenerationResult r = pipeline.generate(request().optProgress((done, total) -> {
            assertEquals(3 * 12, total); // 3 batches of 12 steps
            last.set(done);
        }).build());
        assertEquals(36, last.get());
        assertEquals(5, r.count());
        assertEquals(64, r.imageValues());
        assertEquals("ddim(12 steps, eta 0.5, clip)", r.sampler());
        assertEquals(64, pipeline.modelSha256().length());
        BufferedImage img = r.image(4);
        assertEquals(8, img.getWidth());
    }

    @Test
    void imageKIsTheSameAloneInAnyBatch() {
        GenerationResult all = pipeline.generate(request().build());
        GenerationResult alone = pipeline.generate(request().optSeeds(43).optBatchSize(1).build());
        GenerationResult big = pipeline.generate(request().optBatchSize(16).build());
        assertArrayEquals(all.tensor(3), alone.tensor(0));
        assertArrayEquals(all.samples(), big.samples());
        assertNotEquals(all.tensor(0)[0], all.tensor(1)[0]);
    }

    @Test
    void concurrentRequestsGiveTheSequentialResults() throws Exception {
        List<GenerationRequest> requests = new ArrayList<>();
        for (String s : new String[] {"ddpm", "ddim", "dpmpp"}) {
            for (int seed = 0; seed < 3; seed++) {
                requests.add(GenerationRequest.builder().optSampler(s).optSteps(s.equals("ddpm") ? 0 : 15)
                        .optEta(1.0).optSeeds(seed * 10L, 3).optBatchSize(2).build());
            }
        }
        List<float[]> sequential = new ArrayList<>();
        for (GenerationRequest r : requests) {
            sequential.add(pipeline.generate(r).samples());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(pool.submit(() -> pipeline.generate(r)));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertArrayEquals(sequential.get(i), futures.get(i).get().samples(), "request " + i);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void cancellationStopsTheRequest() {
        AtomicLong steps = new AtomicLong();
        GenerationRequest r = request().optProgress((d, t) -> steps.set(d)).optCancelled(() -> steps.get() >= 5)
                .build();
        assertThrows(CancellationException.class, () -> pipeline.generate(r));
        assertEquals(5, steps.get());
    }

    @Test
    void badRequestsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> request().optSampler("euler").build());
        assertTrue(e.getMessage().contains("euler"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> request().optBatchSize(0).build());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> pipeline.generate(request().optSteps(500).build()));
        assertTrue(steps.getMessage().contains("1..200"), steps.getMessage());
    }

    @Test
    void writesPngsWithProvenanceAGridAndAnAnimation(@TempDir Path dir) throws IOException {
        GenerationResult r = pipeline.generate(request().optTrajectoryEvery(5).build());
        assertArrayEquals(new int[] {0, 5, 10, 12}, r.frameSteps());
        assertArrayEquals(r.samples(), r.frames().get(3));
        List<Path> files = SampleFiles.writeImages(r, dir, "sample-", pipeline.modelSha256());
        assertEquals(5, files.size());
        assertEquals("sample-0002-seed42.png", files.get(2).getFileName().toString());
        Map<String, String> text = PngFiles.readText(files.get(2));
        assertEquals("42", text.get(SampleFiles.KEY_SEED));
        assertEquals("ddim(12 steps, eta 0.5, clip)", text.get(SampleFiles.KEY_SAMPLER));
        assertEquals("12", text.get(SampleFiles.KEY_STEPS));
        assertEquals(pipeline.modelSha256(), text.get(SampleFiles.KEY_MODEL_SHA256));
        BufferedImage back = ImageIO.read(files.get(2).toFile());
        // a gray PNG: compare the stored sample (getRGB would apply the JDK's gray colour space)
        assertEquals(r.image(2).getRGB(3, 5) & 0xFF, back.getRaster().getSample(3, 5, 0));

        Path grid = SampleFiles.writeGrid(r, dir.resolve("grid.png"), 3, 2, pipeline.modelSha256());
        assertEquals("40,41,42,43,44", PngFiles.readText(grid).get(SampleFiles.KEY_SEEDS));
        BufferedImage g = ImageIO.read(grid.toFile());
        assertEquals(3 * 16 + 4 * 2, g.getWidth());

        Path gif = SampleFiles.writeAnimation(r, dir.resolve("reverse.gif"), 3, 2, 10);
        List<BufferedImage> frames = readGif(gif);
        List<BufferedImage> expected = r.frameGrids(3, 2);
        assertEquals(4, frames.size());
        for (int f = 0; f < 4; f++) {
            for (int y = 0; y < g.getHeight(); y += 3) {
                for (int x = 0; x < g.getWidth(); x += 3) {
                    assertEquals(expected.get(f).getRGB(x, y) & 0xFFFFFF, frames.get(f).getRGB(x, y) & 0xFFFFFF,
                            "frame " + f + " at " + x + "," + y);
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> SampleFiles.writeAnimation(pipeline.generate(request().build()), dir.resolve("x.gif"), 3, 1, 10));
    }

    static List<BufferedImage> readGif(Path file) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            int n = reader.getNumImages(true);
            for (int i = 0; i < n; i++) {
                out.add(reader.read(i));
            }
            reader.dispose();
        }
        return out;
    }
}
