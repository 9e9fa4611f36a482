package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SamplerSettingTest {

    @Test
    void parsesSamplerStepsAndGuidance() {
        SamplerSetting s = SamplerSetting.parse("dpmpp-20@w2");
        assertEquals("dpmpp", s.sampler());
        assertEquals(20, s.steps());
        assertEquals(2.0, s.guidance());
        assertEquals("dpmpp-20@w2", s.name());

        SamplerSetting plain = SamplerSetting.parse(" DDIM-50 ");
        assertEquals("ddim", plain.sampler());
        assertEquals(50, plain.steps());
        assertNull(plain.guidance());
        assertEquals("ddim-50", plain.name());

        assertEquals(1.5, SamplerSetting.parse("ddim-10@w1.5").guidance());
        assertEquals("ddim-10@w1.5", SamplerSetting.parse("ddim-10@w1.5").name());
        assertEquals(0.0, SamplerSetting.parse("ddpm-1000@w0").guidance());
        SamplerSetting none = SamplerSetting.parse("dpmpp-sde-20@none");
        assertEquals("dpmpp-sde", none.sampler());
        assertTrue(none.nullLabel());
        assertNull(none.guidance());
        assertEquals("dpmpp-sde-20@none", none.name());
        assertEquals("none", none.samples(Path.of("m.onnx"), 10, 0).classes());
        assertNull(plain.samples(Path.of("m.onnx"), 10, 0).classes());
    }

    @Test
    void settingBecomesModelSamples() {
        ImageSet.ModelSamples m = SamplerSetting.parse("dpmpp-20@w3").samples(Path.of("m.onnx"), 100, 7);
        assertEquals("dpmpp", m.sampler());
        assertEquals(20, m.steps());
        assertEquals(100, m.count());
        assertEquals(7, m.seed());
        assertEquals(3.0, m.guidance());
        assertNull(m.classes());
        assertEquals("m.onnx dpmpp-20@w3", m.label());
        assertTrue(SamplerSetting.parse("ddim-5").samples(Path.of("m.onnx"), 1, 0).guidance() == null);
    }

    @Test
    void malformedSettingsNameTheExpectedForm() {
        for (String bad : new String[] {"ddim", "ddim-", "-50", "ddim-x", "ddim-0", "ddim-50@2", "ddim-50@w",
                "ddim-50@wx", "ddim-50@wNaN", "ddim-50@w2@w3", "ddim-5.5", "ddim-5@nothing", "ddim-5@none@w2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplerSetting.parse(bad), bad);
            assertEquals("sampler settings look like " + SamplerSetting.FORM + ", found '" + bad + "'", e.getMessage());
        }
    }
}
