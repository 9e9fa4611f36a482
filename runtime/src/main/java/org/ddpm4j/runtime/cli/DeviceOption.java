package org.ddpm4j.runtime.cli;

import org.ddpm4j.runtime.onnx.Device;
import picocli.CommandLine.Option;

/** {@code --device}: where ONNX Runtime runs the model. A picocli mixin. */
public final class DeviceOption {

    /** The default device. */
    public static final String DEFAULT = "cpu";

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = DEFAULT,
            description = "ONNX Runtime device: cpu, cuda, cuda:ID or auto (default ${DEFAULT-VALUE}).")
    String value = DEFAULT;

    /** The device as given, for APIs that take the name. */
    public String value() {
        return value;
    }

    /**
     * The device.
     *
     * @throws IllegalArgumentException naming the value found and the forms expected
     */
    public Device device() {
        return Device.parse(value);
    }
}
