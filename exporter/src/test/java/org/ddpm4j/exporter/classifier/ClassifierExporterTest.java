package org.ddpm4j.exporter.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.runtime.onnx.OrtRuntime;
import org.ddpm4j.trainer.classifier.ClassifierModel;
import org.ddpm4j.trainer.classifier.ClassifierSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierExporterTest {

    @TempDir
    Path dir;

    @Test
    void exportsAnUntrainedClassifierWithParityAndMetadata() throws IOException, OrtException {
        ClassifierSpec spec = ClassifierSpec.fashionMnist();
        Map<String, float[]> weights;
        try (ClassifierModel m = ClassifierModel.create(spec, 11)) {
            weights = m.weights();
        }
        Path out = dir.resolve("sub/features.onnx");
        ClassifierExportReport r = ClassifierExporter.builder().setSpec(spec).setWeights(weights)
                .optProvenance(Map.of("steps", "0", "seed", "11")).build().export(out);
        assertTrue(Files.isRegularFile(out));
        assertTrue(Files.getPosixFilePermissions(out).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                "a shipped model is readable by all");
        assertEquals(Files.size(out), r.bytes());
        assertTrue(r.bytes() < 1 << 20, "file of " + r.bytes() + " bytes");
        assertEquals(186_218, r.parameters());
        assertTrue(r.featuresError() <= 1e-5 && r.logitsError() <= 1e-5, r.toString());
        assertEquals(10, r.parityImages());
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left behind");
        }
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("0,1", meta.get("fid.input_range"));
            assertEquals("features", meta.get("fid.features"));
            assertEquals("0", meta.get("fid.train.steps"));
            assertTrue(meta.containsKey(ClassifierExporter.PARITY_KEY));
            assertEquals(List.of("image"), List.copyOf(s.getInputNames()));
            assertArrayEquals(new long[] {-1, 128}, ((TensorInfo) s.getOutputInfo().get("features").getInfo()).getShape());
            assertArrayEquals(new long[] {-1, 10}, ((TensorInfo) s.getOutputInfo().get("logits").getInfo()).getShape());
            float[] img = new float[2 * 28 * 28];
            for (int i = 0; i < img.length; i++) {
                img[i] = (i % 29) / 28f;
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(img), new long[] {2, 1, 28, 28});
                    OrtSession.Result res = s.run(Map.of("image", x))) {
                assertArrayEquals(new long[] {2, 128}, ((OnnxTensor) res.get("features").get()).getInfo().getShape());
            }
        }
    }

    @Test
    void refusesBadWeightsAndDirectoryTargets() throws IOException {
        ClassifierSpec spec = new ClassifierSpec(1, 8, 2, 3);
        Map<String, float[]> weights;
        try (ClassifierModel m = ClassifierModel.create(spec, 1)) {
            weights = m.weights();
        }
        Map<String, float[]> broken = new java.util.LinkedHashMap<>(weights);
        broken.put("conv2.weight", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassifierExporter.builder().setSpec(spec).setWeights(broken).build());
        assertTrue(e.getMessage().contains("conv2.weight"), e.getMessage());
        Path target = Files.createDirectories(dir.resolve("a-folder"));
        IOException io = assertThrows(IOException.class,
                () -> ClassifierExporter.builder().setSpec(spec).setWeights(weights).build().export(target));
        assertTrue(io.getMessage().contains("directory"), io.getMessage());
    }

    @Test
    void relativeErrorScalesWithTheOutputAndCatchesNonFiniteValues() {
        assertEquals(0.5, ClassifierExporter.relativeError(new float[] {0.2f, 0f}, new float[] {0.2f, 0.5f}), 1e-7);
        assertEquals(0.1, ClassifierExporter.relativeError(new float[] {10f}, new float[] {11f}), 1e-7);
        assertFalse(ClassifierExporter.relativeError(new float[] {1f}, new float[] {Float.NaN}) <= 1);
        assertFalse(ClassifierExporter.relativeError(new float[] {1f}, new float[] {1f, 2f}) <= 1);
    }
}
