package org.ddpm4j.exporter.onnx;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * The forward pass of the {@link UnetSpec} Javadoc written naively in plain Java (double
 * accumulation, loops), independent of both DJL and ONNX: the yardstick for the graph's pieces.
 */
final class ReferenceUnet implements Denoiser {

    private final UnetSpec spec;
    private final Map<String, float[]> w;

    ReferenceUnet(UnetSpec spec, Map<String, float[]> weights) {
        this.spec = spec;
        this.w = weights;
    }

    @Override
    public int channels() {
        return spec.inChannels();
    }

    @Override
    public int height() {
        return spec.imageSize();
    }

    @Override
    public int width() {
        return spec.imageSize();
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        int per = spec.inChannels() * spec.imageSize() * spec.imageSize();
        for (int b = 0; b < timesteps.length; b++) {
            float[] x = java.util.Arrays.copyOfRange(sample, b * per, (b + 1) * per);
            float[] y = forward(x, timesteps[b]);
            System.arraycopy(y, 0, out, b * per, y.length);
        }
    }

    /** A feature map [c, s, s]. */
    record Map3(float[] v, int c, int s) {
    }

    float[] forward(float[] image, long t) {
        float[] temb = linear("time.fc2", silu(linear("time.fc1", sinusoidal(t, spec.baseChannels()))));
        float[] stemb = silu(temb);
        Map3 h = conv("in.conv", new Map3(image, spec.inChannels(), spec.imageSize()), 1, 1);
        Deque<Map3> hs = new ArrayDeque<>();
        hs.push(h);
        for (int i = 0; i < spec.levels(); i++) {
            for (int j = 0; j < spec.blocksPerLevel(); j++) {
                h = res("down." + i + ".res." + j, h, spec.levelChannels(i), stemb);
                if (spec.hasAttention(i)) {
                    h = attn("down." + i + ".attn." + j, h);
                }
                hs.push(h);
            }
            if (i < spec.levels() - 1) {
                h = spec.downsamplePadding() == UnetSpec.PAD_SYMMETRIC
                        ? conv("down." + i + ".downsample", h, 2, 1)
                        : conv("down." + i + ".downsample", h, 2, 0, 3, h.s / 2);
                hs.push(h);
            }
        }
        h = attn("mid.attn", res("mid.res1", h, h.c, stemb));
        h = res("mid.res2", h, h.c, stemb);
        for (int i = spec.levels() - 1; i >= 0; i--) {
            for (int j = 0; j <= spec.blocksPerLevel(); j++) {
                Map3 skip = hs.pop();
                float[] cat = new float[h.v.length + skip.v.length];
                System.arraycopy(h.v, 0, cat, 0, h.v.length);
                System.arraycopy(skip.v, 0, cat, h.v.length, skip.v.length);
                h = res("up." + i + ".res." + j, new Map3(cat, h.c + skip.c, h.s), spec.levelChannels(i), stemb);
                if (spec.hasAttention(i)) {
                    h = attn("up." + i + ".attn." + j, h);
                }
            }
            if (i > 0) {
                h = conv("up." + i + ".upsample", upsample(h), 1, 1);
            }
        }
        Map3 n = norm("out.norm", h);
        return conv("out.conv", new Map3(silu(n.v), n.c, n.s), 1, 1).v;
    }

    static float[] sinusoidal(long t, int d) {
        int half = d / 2;
        float[] e = new float[d];
        for (int k = 0; k < half; k++) {
            double f = Math.exp(-Math.log(10000.0) * k / (half - 1));
            e[k] = (float) Math.sin(t * f);
            e[half + k] = (float) Math.cos(t * f);
        }
        return e;
    }

    Map3 res(String name, Map3 x, int out, float[] stemb) {
        Map3 h = conv(name + ".conv1", siluMap(norm(name + ".norm1", x)), 1, 1);
        float[] proj = linear(name + ".temb", stemb);
        int hw = h.s * h.s;
        float[] v = h.v.clone();
        for (int c = 0; c < out; c++) {
            for (int i = 0; i < hw; i++) {
                v[c * hw + i] += proj[c];
            }
        }
        h = conv(name + ".conv2", siluMap(norm(name + ".norm2", new Map3(v, out, h.s))), 1, 1);
        Map3 skip = x.c == out ? x : conv(name + ".skip", x, 1, 0);
        float[] sum = new float[h.v.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = skip.v[i] + h.v[i];
        }
        return new Map3(sum, out, x.s);
    }

    Map3 attn(String name, Map3 x) {
        int c = x.c;
        int n = x.s * x.s;
        float[] qkv = conv(name + ".qkv", norm(name + ".norm", x), 1, 0).v;
        float[] a = new float[c * n];
        double scale = 1.0 / Math.sqrt(c);
        double[] wrow = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int ch = 0; ch < c; ch++) {
                    s += (double) qkv[ch * n + i] * qkv[(c + ch) * n + j];
                }
                wrow[j] = s * scale;
                max = Math.max(max, wrow[j]);
            }
            double z = 0;
            for (int j = 0; j < n; j++) {
                wrow[j] = Math.exp(wrow[j] - max);
                z += wrow[j];
            }
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += wrow[j] / z * qkv[(2 * c + ch) * n + j];
                }
                a[ch * n + i] = (float) s;
            }
        }
        float[] p = conv(name + ".proj", new Map3(a, c, x.s), 1, 0).v;
        float[] out = new float[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.v[i] + p[i];
        }
        return new Map3(out, c, x.s);
    }

    Map3 norm(String name, Map3 x) {
        int groups = spec.groups();
        int per = x.c / groups * x.s * x.s;
        int hw = x.s * x.s;
        float[] gamma = w.get(name + ".weight");
        float[] beta = w.get(name + ".bias");
        float[] out = new float[x.v.length];
        for (int g = 0; g < groups; g++) {
            double mean = 0;
            for (int i = 0; i < per; i++) {
                mean += x.v[g * per + i];
            }
            mean /= per;
            double var = 0;
            for (int i = 0; i < per; i++) {
                double d = x.v[g * per + i] - mean;
                var += d * d;
            }
            var /= per;
            double inv = 1.0 / Math.sqrt(var + spec.normEps());
            for (int i = 0; i < per; i++) {
                int idx = g * per + i;
                int ch = idx / hw;
                out[idx] = (float) ((x.v[idx] - mean) * inv * gamma[ch] + beta[ch]);
            }
        }
        return new Map3(out, x.c, x.s);
    }

    Map3 conv(String name, Map3 x, int stride, int pad) {
        int ks = 2 * pad + 1;
        return conv(name, x, stride, pad, ks, (x.s + 2 * pad - ks) / stride + 1);
    }

    /** A ks x ks conv padding {@code pad} at the top and left and as much zeros at the bottom and right as {@code so} needs. */
    Map3 conv(String name, Map3 x, int stride, int pad, int ks, int so) {
        float[] k = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        int out = b.length;
        float[] y = new float[out * so * so];
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < so; r++) {
                for (int col = 0; col < so; col++) {
                    double s = b[o];
                    for (int c = 0; c < x.c; c++) {
                        for (int u = 0; u < ks; u++) {
                            int yy = r * stride + u - pad;
                            if (yy < 0 || yy >= x.s) {
                                continue;
                            }
                            for (int v = 0; v < ks; v++) {
                                int xx = col * stride + v - pad;
                                if (xx >= 0 && xx < x.s) {
                                    s += (double) k[((o * x.c + c) * ks + u) * ks + v] * x.v[(c * x.s + yy) * x.s + xx];
                                }
                            }
                        }
                    }
                    y[(o * so + r) * so + col] = (float) s;
                }
            }
        }
        return new Map3(y, out, so);
    }

    static Map3 upsample(Map3 x) {
        int s2 = x.s * 2;
        float[] y = new float[x.c * s2 * s2];
        for (int c = 0; c < x.c; c++) {
            for (int r = 0; r < s2; r++) {
                for (int col = 0; col < s2; col++) {
                    y[(c * s2 + r) * s2 + col] = x.v[(c * x.s + r / 2) * x.s + col / 2];
                }
            }
        }
        return new Map3(y, x.c, s2);
    }

    float[] linear(String name, float[] x) {
        float[] m = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        float[] y = new float[b.length];
        for (int o = 0; o < b.length; o++) {
            double s = b[o];
            for (int i = 0; i < x.length; i++) {
                s += (double) m[o * x.length + i] * x[i];
            }
            y[o] = (float) s;
        }
        return y;
    }

    static Map3 siluMap(Map3 x) {
        return new Map3(silu(x.v), x.c, x.s);
    }

    static float[] silu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (x[i] / (1.0 + Math.exp(-x[i])));
        }
        return y;
    }
}
