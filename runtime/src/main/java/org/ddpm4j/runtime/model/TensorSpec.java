package org.ddpm4j.runtime.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * A graph input or output as declared in the file: name, element type and shape, where a
 * dynamic dimension is -1.
 *
 * @param name        the value's name in the graph
 * @param elementType {@code float32}, {@code int64}, {@code int32}, ... (lower case, ONNX names with bit widths)
 * @param shape       the declared shape; -1 for a dynamic or symbolic dimension
 */
public record TensorSpec(String name, String elementType, long[] shape) {

    public TensorSpec {
        elementType = elementType.toLowerCase(Locale.ROOT);
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}, -1 when dynamic. */
    public long dim(int i) {
        return shape[i];
    }

    /** e.g. {@code sample float32 [-1, 1, 28, 28]}. */
    @Override
    public String toString() {
        return name + " " + elementType + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.elementType.equals(elementType)
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
