package org.ddpm4j.trainer.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassifierModelTest {

    @Test
    void fashionSpecPinsParameterNamesShapesAndCount() {
        ClassifierSpec spec = ClassifierSpec.fashionMnist();
        List<String> names = spec.parameters().stream().map(ClassifierSpec.Param::name).toList();
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias",
                "conv4.weight", "conv4.bias", "head.weight", "head.bias"), names);
        assertArrayEquals(new long[] {64, 32, 3, 3}, spec.parameters().get(2).shape());
        assertArrayEquals(new long[] {128, 96, 3, 3}, spec.parameters().get(6).shape());
        assertArrayEquals(new long[] {10, 128}, spec.parameters().get(8).shape());
        // 1*32*9+32 + 32*64*9+64 + 64*96*9+96 + 96*128*9+128 + 128*10+10
        assertEquals(186_218, spec.parameterCount());
        assertEquals(128, spec.featureDim());
    }

    @Test
    void forwardGivesFeaturesAndLogitsOfTheRightShape() {
        ClassifierSpec spec = ClassifierSpec.fashionMnist();
        try (ClassifierModel model = ClassifierModel.create(spec, 3); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(3, 1, 28, 28));
            ClassifierModel.Output out = model.forward(x);
            assertEquals(new Shape(3, 128), out.features().getShape());
            assertEquals(new Shape(3, 10), out.logits().getShape());
            float[] f = out.features().toFloatArray();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : f) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(min >= 0, "features are means of ReLU outputs, found " + min);
            assertTrue(max > 0, "an initialised network gives some positive features");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m.zeros(new Shape(2, 1, 32, 32))));
            assertTrue(e.getMessage().contains("[B, 1, 28, 28]"), e.getMessage());
        }
    }

    @Test
    void initialisationIsSeededAndWeightsRoundTrip() {
        ClassifierSpec spec = new ClassifierSpec(1, 8, 4, 4);
        try (ClassifierModel a = ClassifierModel.create(spec, 7); ClassifierModel b = ClassifierModel.create(spec, 7);
                ClassifierModel c = ClassifierModel.create(spec, 8)) {
            Map<String, float[]> wa = a.weights();
            assertArrayEquals(wa.get("conv2.weight"), b.weights().get("conv2.weight"));
            assertNotEquals(wa.get("conv2.weight")[0], c.weights().get("conv2.weight")[0]);
            try (ClassifierModel d = ClassifierModel.fromWeights(spec, wa)) {
                assertArrayEquals(wa.get("head.weight"), d.weights().get("head.weight"));
            }
            wa.remove("head.bias");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClassifierModel.fromWeights(spec, wa));
            assertTrue(e.getMessage().contains("head.bias"), e.getMessage());
        }
    }
}
