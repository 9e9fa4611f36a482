package org.ddpm4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.junit.jupiter.api.Test;

class ModelInfoTest {

    static Map<String, String> fashion() {
        Map<String, String> m = new HashMap<>();
        m.put("ddpm.format", "1");
        m.put("ddpm.prediction", "epsilon");
        m.put("ddpm.schedule", "linear");
        m.put("ddpm.timesteps", "1000");
        m.put("ddpm.beta_start", "0.0001");
        m.put("ddpm.beta_end", "0.02");
        m.put("ddpm.image_size", "28,28");
        m.put("ddpm.channels", "1");
        m.put("ddpm.clip_sample", "true");
        m.put("ddpm.train.steps", "12000");
        return m;
    }

    @Test
    void parsesTheContractKeys() {
        ModelInfo info = ModelInfo.fromMetadata(fashion(), "m.onnx");
        assertEquals(Prediction.EPSILON, info.prediction());
        assertEquals(ScheduleType.LINEAR, info.schedule().type());
        assertEquals(NoiseSchedule.defaultLinear().alphaBar(500), info.schedule().alphaBar(500), 0.0);
        assertEquals(28, info.height());
        assertEquals(1, info.channels());
        assertTrue(info.clipSample());
        assertFalse(info.classCount().isPresent());
        assertEquals("12000", info.metadata().get("ddpm.train.steps"));
        assertEquals(784, info.imageValues());
    }

    @Test
    void contractMetadataRoundTrips() {
        ModelInfo a = ModelInfo.of(Prediction.V, NoiseSchedule.cosine(400), 32, 16, 3, false);
        ModelInfo b = ModelInfo.fromMetadata(a.contractMetadata(), "x");
        assertEquals(a.contractMetadata(), b.contractMetadata());
        assertFalse(b.contractMetadata().containsKey(MetadataKeys.BETA_START));
        assertEquals("32,16", b.contractMetadata().get(MetadataKeys.IMAGE_SIZE));
        assertEquals(16, b.width());
    }

    @Test
    void imageSizeForms() {
        assertEquals(List.of(28, 28), List.of(ModelInfo.parseImageSize("28")[0], ModelInfo.parseImageSize("28")[1]));
        assertEquals(64, ModelInfo.parseImageSize("32x64")[1]);
        assertEquals(64, ModelInfo.parseImageSize("[32, 64]")[1]);
    }

    @Test
    void eachMissingRequiredKeyIsNamedWithTheAdoptCommand() {
        for (String key : MetadataKeys.REQUIRED) {
            Map<String, String> m = fashion();
            m.remove(key);
            ModelContractException e = assertThrows(ModelContractException.class,
                    () -> ModelInfo.fromMetadata(m, "bare.onnx"));
            assertTrue(e.getMessage().startsWith("bare.onnx: metadata key '" + key + "' is missing"), e.getMessage());
            assertTrue(e.getMessage().contains("ddpm adopt --model"), e.getMessage());
        }
        Map<String, String> m = fashion();
        m.remove("ddpm.beta_end");
        assertThrows(ModelContractException.class, () -> ModelInfo.fromMetadata(m, "x"));
        m.put("ddpm.schedule", "cosine"); // cosine needs no beta range
        assertEquals(ScheduleType.COSINE, ModelInfo.fromMetadata(m, "x").schedule().type());
    }

    @Test
    void malformedValuesNameKeyValueAndExpectation() {
        Object[][] cases = {
                {"ddpm.format", "2", "ddpm.format is '2', this runtime reads format 1"},
                {"ddpm.prediction", "noise", "'ddpm.prediction' is 'noise', expected epsilon, sample or v"},
                {"ddpm.timesteps", "-5", "'ddpm.timesteps' is '-5', expected a positive integer"},
                {"ddpm.beta_start", "0.5", "'ddpm.beta_end' is '0.02', expected a beta range"},
                {"ddpm.image_size", "big", "'ddpm.image_size' is 'big', expected \"H,W\""},
                {"ddpm.clip_sample", "yes", "'ddpm.clip_sample' is 'yes', expected true or false"},
                {"ddpm.class_count", "0", "'ddpm.class_count' is '0', expected a positive integer"},
        };
        for (Object[] c : cases) {
            Map<String, String> m = fashion();
            m.put((String) c[0], (String) c[1]);
            ModelContractException e = assertThrows(ModelContractException.class,
                    () -> ModelInfo.fromMetadata(m, "m.onnx"));
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
    }

    @Test
    void graphContractChecks() {
        ModelInfo info = ModelInfo.fromMetadata(fashion(), "m.onnx");
        TensorSpec sample = new TensorSpec("sample", "float32", new long[] {-1, 1, 28, 28});
        TensorSpec t = new TensorSpec("timestep", "int64", new long[] {-1});
        TensorSpec out = new TensorSpec("out", "float32", new long[] {-1, 1, -1, -1});
        ModelSignature sig = ModelContract.validate(List.of(sample, t), List.of(out), info, "m.onnx");
        assertEquals("out", sig.outputName());
        assertFalse(sig.timestep().scalar());
        TensorSpec scalarT = new TensorSpec("timestep", "float32", new long[0]);
        assertTrue(ModelContract.validate(List.of(sample, scalarT), List.of(out), info, "m").timestep().scalar());

        TensorSpec badT = new TensorSpec("timestep", "float64", new long[] {-1});
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> ModelContract.validate(List.of(sample, badT), List.of(out), info, "m.onnx"));
        assertTrue(e.getMessage().contains("found timestep float64 [-1]"), e.getMessage());
        TensorSpec extra = new TensorSpec("class_labels", "int64", new long[] {-1});
        e = assertThrows(ModelContractException.class,
                () -> ModelContract.validate(List.of(sample, t, extra), List.of(out), info, "m.onnx"));
        assertTrue(e.getMessage().contains("unexpected input class_labels int64 [-1]"), e.getMessage());
        TensorSpec badOut = new TensorSpec("out", "float32", new long[] {-1, 2, 28, 28});
        e = assertThrows(ModelContractException.class,
                () -> ModelContract.validate(List.of(sample, t), List.of(badOut), info, "m.onnx"));
        assertTrue(e.getMessage().contains("first output 'out' must be float32 [B, 1, 28, 28]"), e.getMessage());
        e = assertThrows(ModelContractException.class,
                () -> ModelContract.validate(List.of(sample, t), List.of(), info, "m.onnx"));
        assertTrue(e.getMessage().contains("no output"), e.getMessage());
    }
}
