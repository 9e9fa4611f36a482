package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void parsesDeviceNames() {
        assertEquals(Device.cpu(), Devices.parse("cpu"));
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        assertEquals(gpus > 0 ? Device.gpu() : Device.cpu(), Devices.parse("auto"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu"));
        assertTrue(unknown.getMessage().contains("expected cpu, cuda, cuda:N or auto"), unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Devices.parse("cuda:" + gpus));
        assertTrue(missing.getMessage().contains("PyTorch sees " + gpus + " CUDA GPU(s)"), missing.getMessage());
    }
}
