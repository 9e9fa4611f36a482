package org.ddpm4j.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Parses the {@code --device} option of the training commands. */
public final class Devices {

    private Devices() {
    }

    /**
     * {@code cpu}, {@code cuda} (or {@code gpu}), {@code cuda:N}, or {@code auto} (a GPU when PyTorch sees one).
     *
     * @throws IllegalArgumentException for other names, or a GPU that PyTorch cannot see
     */
    public static Device parse(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase(Locale.ROOT);
        int gpus = n.equals("cpu") ? 0 : Engine.getEngine("PyTorch").getGpuCount();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("auto")) {
            return gpus > 0 ? Device.gpu() : Device.cpu();
        }
        int id;
        if (n.equals("cuda") || n.equals("gpu")) {
            id = 0;
        } else if (n.matches("(cuda|gpu):\\d+")) {
            id = Integer.parseInt(n.substring(n.indexOf(':') + 1));
        } else {
            throw new IllegalArgumentException("Unknown device '" + name + "', expected cpu, cuda, cuda:N or auto");
        }
        if (id >= gpus) {
            throw new IllegalArgumentException("device " + name + " is not available: PyTorch sees " + gpus
                    + " CUDA GPU(s)" + (gpus == 0 ? " (a CPU build: build with -Pcuda on a host with CUDA 12 and"
                    + " an NVIDIA driver)" : ""));
        }
        return Device.gpu(id);
    }
}
