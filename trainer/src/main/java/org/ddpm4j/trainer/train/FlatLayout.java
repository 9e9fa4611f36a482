package org.ddpm4j.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor lives inside one flat vector (in map order), so that per-parameter
 * arithmetic (Adam, EMA, gradient norm) runs as a few large operations instead of hundreds of
 * small ones.
 */
public final class FlatLayout {

    private final List<String> names = new ArrayList<>();
    private final List<Shape> shapes = new ArrayList<>();
    private final long[] splitPoints;
    private final long total;

    FlatLayout(Map<String, NDArray> tensors) {
        long offset = 0;
        List<Long> points = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (offset > 0) {
                points.add(offset);
            }
            names.add(e.getKey());
            shapes.add(e.getValue().getShape());
            offset += e.getValue().size();
        }
        this.total = offset;
        this.splitPoints = points.stream().mapToLong(Long::longValue).toArray();
    }

    /** Values in the flat vector. */
    long total() {
        return total;
    }

    /** Concatenation of the flattened arrays (attached to the first array's manager). */
    public static NDArray flatten(Collection<NDArray> arrays) {
        NDList flat = new NDList(arrays.size());
        for (NDArray a : arrays) {
            flat.add(a.reshape(-1));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 0);
    }

    /** The flat vector cut into the tensors' shapes, in layout order. */
    List<NDArray> unflatten(NDArray flat) {
        NDList pieces = splitPoints.length == 0 ? new NDList(flat) : flat.split(splitPoints, 0);
        List<NDArray> out = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            out.add(pieces.get(i).reshape(shapes.get(i)));
        }
        return out;
    }

    /** A flat Java array cut into named arrays. */
    Map<String, float[]> toMap(float[] flat) {
        Map<String, float[]> out = new LinkedHashMap<>();
        int offset = 0;
        for (int i = 0; i < names.size(); i++) {
            int n = Math.toIntExact(shapes.get(i).size());
            float[] v = new float[n];
            System.arraycopy(flat, offset, v, 0, n);
            out.put(names.get(i), v);
            offset += n;
        }
        return out;
    }

    /** Named arrays joined into one flat Java array; every name must be present with the right size. */
    float[] fromMap(Map<String, float[]> values, String what) {
        float[] flat = new float[Math.toIntExact(total)];
        int offset = 0;
        for (int i = 0; i < names.size(); i++) {
            float[] v = values.get(names.get(i));
            int n = Math.toIntExact(shapes.get(i).size());
            if (v == null || v.length != n) {
                throw new IllegalArgumentException(what + " of " + names.get(i) + ": expected " + n + " values, found "
                        + (v == null ? "none" : v.length));
            }
            System.arraycopy(v, 0, flat, offset, n);
            offset += n;
        }
        return flat;
    }
}
