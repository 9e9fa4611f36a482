package org.ddpm4j.tools.fid;

import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.fid.InputRange;
import org.ddpm4j.fid.FidImage;
import org.ddpm4j.fid.ExtractorInput;
import static org.ddpm4j.tools.SampleAndAdoptCommandTest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.exporter.classifier.ClassifierExporter;
import org.ddpm4j.tools.DdpmCommand;
import org.ddpm4j.trainer.classifier.ClassifierModel;
import org.ddpm4j.trainer.classifier.ClassifierSpec;
import org.ddpm4j.tools.SampleAndAdoptCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractorTrainCommandTest {

    @TempDir
    Path dir;

    @Test
    void exportedClassifierIsFoundAsAnExtractorThroughItsMetadata() throws IOException {
        ClassifierSpec spec = ClassifierSpec.fashionMnist();
        Path file = dir.resolve("features.onnx");
        float[] pixels = new float[3 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = ((i * 37) % 101) / 100f;
        }
        float[] djl;
        try (ClassifierModel m = ClassifierModel.create(spec, 4); NDManager nd = NDManager.newBaseManager()) {
            ClassifierExporter.builder().setSpec(spec).setWeights(m.weights()).build().export(file);
            djl = m.forward(nd.create(pixels, new Shape(3, 1, 28, 28))).features().toFloatArray();
        }
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(file, null)) {
            assertEquals("features", ex.featureOutput());
            assertEquals(new ExtractorInput(1, 28, 28, InputRange.ZERO_ONE), ex.input());
            int per = 28 * 28;
            List<FidImage> images = List.of(
                    new FidImage(1, 28, 28, java.util.Arrays.copyOfRange(pixels, 0, per)),
                    new FidImage(1, 28, 28, java.util.Arrays.copyOfRange(pixels, per, 2 * per)),
                    new FidImage(1, 28, 28, java.util.Arrays.copyOfRange(pixels, 2 * per, 3 * per)));
            float[] f = ex.extract(images);
            assertEquals(3 * 128, f.length);
            for (int i = 0; i < f.length; i++) {
                assertEquals(djl[i], f[i], 1e-4 * Math.max(1, Math.abs(djl[i])), "feature " + i);
            }
        }
    }

    @Test
    void trainsAndExportsFromIdxFilesOnTheCommandLine() throws IOException {
        writeIdx("train", 96, 1);
        writeIdx("t10k", 32, 2);
        Path out = dir.resolve("e.onnx");
        Run r = run("fid", "train-extractor", "--data", dir.toString(), "--epochs", "1", "--batch", "16",
                "--width", "4", "--threads", "1", "--no-progress", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy") && r.out().contains("parity"), r.out());
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(out, null)) {
            assertEquals("features", ex.featureOutput());
            assertEquals(new ExtractorInput(1, 12, 12, InputRange.ZERO_ONE), ex.input());
        }
        Run missing = run("fid", "train-extractor", "--data", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("x.onnx").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("train-images-idx3-ubyte"), missing.err());
        assertTrue(!Files.exists(dir.resolve("x.onnx")));
    }

    private void writeIdx(String prefix, int n, int seed) throws IOException {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        try (OutputStream raw = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte"));
                DataOutputStream img = new DataOutputStream(raw);
                OutputStream rawL = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte"));
                DataOutputStream lab = new DataOutputStream(rawL)) {
            img.writeInt(0x803);
            img.writeInt(n);
            img.writeInt(12);
            img.writeInt(12);
            lab.writeInt(0x801);
            lab.writeInt(n);
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(10);
                lab.write(k);
                for (int p = 0; p < 144; p++) {
                    img.write(p % 10 == k ? 220 : r.nextInt(60));
                }
            }
        }
    }

}
