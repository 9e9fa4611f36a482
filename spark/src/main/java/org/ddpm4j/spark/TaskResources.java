package org.ddpm4j.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.ddpm4j.runtime.onnx.Device;

/**
 * What a running task may use: its CPUs ({@code spark.task.cpus}) and, when the task was given a GPU
 * resource ({@code spark.task.resource.gpu.amount}), that GPU's address.
 */
public final class TaskResources {

    /** Spark's resource name for GPUs. */
    public static final String GPU = "gpu";

    private TaskResources() {
    }

    /** ONNX Runtime intra-op threads for this task: {@code spark.task.cpus}, or 1 outside a task. */
    public static int threads() {
        TaskContext tc = TaskContext.get();
        return tc == null ? 1 : Math.max(1, tc.cpus());
    }

    /**
     * The device for this task: CUDA on the first GPU address Spark assigned to it, else {@code fallback}
     * (the {@code --device} option, cpu by default).
     */
    public static Device device(Device fallback) {
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return fallback;
        }
        ResourceInformation gpu = tc.resourcesJMap().get(GPU);
        if (gpu == null || gpu.addresses().length == 0) {
            return fallback;
        }
        String address = gpu.addresses()[0].trim();
        try {
            return Device.cuda(Integer.parseInt(address));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Spark assigned GPU address '" + address
                    + "' to this task, expected a CUDA device number such as 0");
        }
    }
}
