package org.ddpm4j.trainer.classifier;

import java.util.ArrayList;
import java.util.List;

/**
 * The feature classifier, described once for the DJL model and the ONNX graph:
 *
 * <pre>
 * x [B, C, S, S] in [0, 1]
 * h1 = relu(conv3x3(x,  conv1, stride 1, pad 1))            [B, w,  S,   S  ]
 * h2 = relu(conv3x3(h1, conv2, stride 2, pad 1))            [B, 2w, S/2, S/2]
 * h3 = relu(conv3x3(h2, conv3, stride 2, pad 1))            [B, 3w, S/4, S/4]
 * h4 = relu(conv3x3(h3, conv4, stride 2, pad 1))            [B, 4w, S/8, S/8]
 * features = mean of h4 over height and width               [B, 4w]
 * logits   = features head.weight^T + head.bias             [B, classes]
 * </pre>
 *
 * (sizes round up: 28 -> 14 -> 7 -> 4; the fourth conv widens the receptive field to 17 pixels so
 * the features see whole garments, not only local texture). Parameter names: {@code conv1.weight},
 * {@code conv1.bias}, ..., {@code conv4.bias}, {@code head.weight}, {@code head.bias}.
 *
 * @param channels  input channels
 * @param imageSize input height and width
 * @param width     channels of the first conv (the others have 2x, 3x and 4x)
 * @param classes   number of classes
 */
public record ClassifierSpec(int channels, int imageSize, int width, int classes) {

    /** Number of conv layers. */
    public static final int CONV_LAYERS = 4;

    /** Validates the sizes. */
    public ClassifierSpec {
        if (channels < 1 || imageSize < 4 || width < 1 || classes < 2) {
            throw new IllegalArgumentException("classifier needs channels >= 1, image size >= 4, width >= 1 and "
                    + "classes >= 2, found channels " + channels + ", image size " + imageSize + ", width " + width
                    + ", classes " + classes);
        }
    }

    /** The shipped Fashion-MNIST extractor: 1x28x28 input, widths 32-64-96-128, 10 classes. */
    public static ClassifierSpec fashionMnist() {
        return new ClassifierSpec(1, 28, 32, 10);
    }

    /** One learnable tensor: canonical name and shape. */
    public record Param(String name, long[] shape) {
        /** Number of values. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Output channels of conv layer {@code layer} (1-based). */
    public int convChannels(int layer) {
        return width * layer;
    }

    /** Stride of conv layer {@code layer} (1-based): 1, then 2. */
    public int convStride(int layer) {
        return layer == 1 ? 1 : 2;
    }

    /** Length of the feature vector (the channels of the last conv). */
    public int featureDim() {
        return convChannels(CONV_LAYERS);
    }

    /** Every parameter, in canonical order. */
    public List<Param> parameters() {
        List<Param> out = new ArrayList<>();
        int in = channels;
        for (int l = 1; l <= CONV_LAYERS; l++) {
            int o = convChannels(l);
            out.add(new Param("conv" + l + ".weight", new long[] {o, in, 3, 3}));
            out.add(new Param("conv" + l + ".bias", new long[] {o}));
            in = o;
        }
        out.add(new Param("head.weight", new long[] {classes, featureDim()}));
        out.add(new Param("head.bias", new long[] {classes}));
        return out;
    }

    /** Total number of learnable values. */
    public long parameterCount() {
        return parameters().stream().mapToLong(Param::size).sum();
    }

    /** A compact JSON description, for model metadata. */
    public String toJson() {
        return "{\"channels\":" + channels + ",\"image_size\":" + imageSize + ",\"width\":" + width + ",\"classes\":"
                + classes + ",\"layers\":\"conv3x3 s1 relu, 3 x (conv3x3 s2 relu), global avg pool, linear\"}";
    }
}
