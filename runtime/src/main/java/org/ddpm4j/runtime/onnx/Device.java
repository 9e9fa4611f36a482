package org.ddpm4j.runtime.onnx;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a model: {@code cpu}, {@code cuda} / {@code cuda:ID} (the CUDA execution
 * provider on GPU ID, 0 by default), or {@code auto} (CUDA device 0 when the provider can be added,
 * otherwise the CPU with one warning line).
 *
 * @param kind     cpu, cuda or auto
 * @param deviceId the CUDA device id (0 for cpu and auto)
 */
public record Device(Kind kind, int deviceId) {

    /** The kinds of device. */
    public enum Kind { CPU, CUDA, AUTO }

    public static final Device CPU = new Device(Kind.CPU, 0);
    public static final Device AUTO = new Device(Kind.AUTO, 0);

    public Device {
        if (deviceId < 0) {
            throw new IllegalArgumentException("CUDA device id must be >= 0, found " + deviceId);
        }
    }

    /** The CUDA device {@code id}. */
    public static Device cuda(int id) {
        return new Device(Kind.CUDA, id);
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:1} or {@code auto}.
     *
     * @throws IllegalArgumentException naming the value found and the forms expected
     */
    public static Device parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu")) {
            return CPU;
        }
        if (v.equals("auto")) {
            return AUTO;
        }
        if (v.equals("cuda") || v.equals("gpu")) {
            return cuda(0);
        }
        if (v.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(v.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("Unknown device '" + value + "', expected cpu, cuda, cuda:ID or auto");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case AUTO -> "auto";
            case CUDA -> "cuda:" + deviceId;
        };
    }
}
