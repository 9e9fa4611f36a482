package org.ddpm4j.tools;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.model.ModelContract;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.model.TensorSpec;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm adopt}: makes someone else's noise-predictor ONNX file (e.g. from {@code torch.onnx.export})
 * a ddpm4j model by checking its inputs and output against the contract and adding the {@code ddpm.*}
 * metadata. The graph itself is not changed.
 */
@Command(name = "adopt",
        mixinStandardHelpOptions = true,
        description = {
            "Add the ddpm.* metadata to an ONNX noise predictor so that ddpm sample can run it.",
            "The model needs inputs 'sample' float32 [B,C,H,W] and 'timestep' int64 [B] (or int32/float32, "
                    + "or a scalar), and a first output float32 [B,C,H,W].",
            "",
            "  ddpm adopt --model unet.onnx --out model.onnx --schedule linear \\",
            "      --timesteps 1000 --prediction epsilon",
        })
public final class AdoptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "IN", description = "The ONNX file to adopt.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Where to write the adopted model (may equal --model).")
    Path out;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "linear", description = "linear, cosine, scaled_linear or sigmoid (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--timesteps", paramLabel = "T", defaultValue = "1000", description = "T of training (default ${DEFAULT-VALUE}).")
    int timesteps;

    @Option(names = "--beta-start", paramLabel = "B", defaultValue = "1e-4", description = "beta_1 (default ${DEFAULT-VALUE}; not for cosine).")
    double betaStart;

    @Option(names = "--beta-end", paramLabel = "B", defaultValue = "0.02", description = "beta_T (default ${DEFAULT-VALUE}; not for cosine).")
    double betaEnd;

    @Option(names = "--prediction", paramLabel = "TYPE", defaultValue = "epsilon", description = "epsilon, sample or v (default ${DEFAULT-VALUE}).")
    String prediction;

    @Option(names = "--image-size", paramLabel = "H,W", description = "Image size (default: from the sample input's shape).")
    String imageSize;

    @Option(names = "--channels", paramLabel = "C", description = "Channels (default: from the sample input's shape).")
    Integer channels;

    @Option(names = "--clip-sample", paramLabel = "BOOL", defaultValue = "true", arity = "1",
            description = "Whether samplers clip x0 to [-1, 1]: true or false (default ${DEFAULT-VALUE}).")
    String clipSample;

    @Option(names = "--class-count", paramLabel = "N", description = "Classes of a class-conditional model (optional).")
    Integer classCount;

    @Option(names = "--class-names", paramLabel = "NAMES", split = ",",
            description = "With --class-count: the class names in label order, comma-separated (optional).")
    List<String> classNames;

    @Option(names = "--scheduler-config", paramLabel = "JSON",
            description = "Take the schedule, T, betas, prediction type and clipping from a diffusers scheduler config"
                    + " (scheduler_config.json) instead of --schedule, --timesteps, --beta-start, --beta-end,"
                    + " --prediction and --clip-sample; a setting ddpm4j cannot reproduce exactly is refused.")
    Path schedulerConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Extra metadata, e.g. --set ddpm.train.dataset=cifar10 (repeatable).")
    Map<String, String> extra = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new NoSuchFileException(model.toString());
        }
        OutputChecks.fileToCreate("--out", out); // before the model is read: a folder or a read-only file at once
        String name = model.getFileName().toString();
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(Files.readAllBytes(model));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(name + ": not an ONNX model (" + e.getMessage() + ")");
        }
        if (!proto.hasGraph()) {
            throw new IllegalArgumentException(name + ": not an ONNX model (it has no graph)");
        }
        List<TensorSpec> inputs = specs(graphInputs(proto.getGraph()));
        List<TensorSpec> outputs = specs(proto.getGraph().getOutputList());
        ModelInfo info = describe(inputs, name);
        ModelContract.validate(inputs, outputs, info, name);

        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        Set<String> contractKeys = Set.of(MetadataKeys.FORMAT, MetadataKeys.PREDICTION, MetadataKeys.SCHEDULE,
                MetadataKeys.TIMESTEPS, MetadataKeys.BETA_START, MetadataKeys.BETA_END, MetadataKeys.IMAGE_SIZE,
                MetadataKeys.CHANNELS, MetadataKeys.CLIP_SAMPLE, MetadataKeys.CLASS_COUNT, MetadataKeys.CLASS_NAMES);
        metadata.keySet().removeAll(contractKeys);
        metadata.putAll(info.contractMetadata());
        metadata.putAll(extra);
        // --set may replace contract keys: check the metadata as written before it replaces anything
        ModelContract.validate(inputs, outputs, ModelInfo.fromMetadata(metadata, name), name);
        ModelProto.Builder adopted = proto.toBuilder().clearMetadataProps();
        metadata.forEach((k, v) -> adopted.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        byte[] bytes = adopted.build().toByteArray();
        AtomicFiles.write(out, os -> os.write(bytes));

        // prove it: ONNX Runtime opens the result and the runtime accepts it
        try (OnnxDenoiser check = OnnxDenoiser.open(out, OnnxOptions.DEFAULTS.withThreads(1))) {
            PrintWriter w = spec.commandLine().getOut();
            w.printf("adopted %s -> %s: %s%n", model, out, check.info().summary());
            w.println("inputs: " + ModelContract.describe(inputs) + "; output: " + outputs.get(0));
            w.flush();
        }
        return 0;
    }

    /** The model description from the options, filling C, H, W from the sample input when not given. */
    private ModelInfo describe(List<TensorSpec> inputs, String name) {
        TensorSpec sample = inputs.stream().filter(s -> s.name().equals(MetadataKeys.INPUT_SAMPLE)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + ": the graph has no input 'sample' (float32"
                        + " [B, C, H, W]); found inputs: " + ModelContract.describe(inputs)
                        + ". Export with input_names=['sample', 'timestep']"));
        if (sample.rank() != 4) {
            throw new IllegalArgumentException(name + ": input 'sample' must be float32 [B, C, H, W], found " + sample);
        }
        int c = channels != null ? channels : dim(sample, 1, "--channels", name);
        int h;
        int w;
        if (imageSize != null) {
            String[] parts = imageSize.trim().split("[,x]");
            try {
                h = Integer.parseInt(parts[0].trim());
                w = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : h;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--image-size must be H,W or N, found '" + imageSize + "'");
            }
        } else {
            h = dim(sample, 2, "--image-size", name);
            w = dim(sample, 3, "--image-size", name);
        }
        if (!clipSample.equals("true") && !clipSample.equals("false")) {
            throw new IllegalArgumentException("--clip-sample must be true or false, found '" + clipSample + "'");
        }
        ModelInfo info;
        if (schedulerConfig != null) {
            for (String typed : List.of("--schedule", "--timesteps", "--beta-start", "--beta-end", "--prediction",
                    "--clip-sample")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(typed)) {
                    throw new IllegalArgumentException(typed + " contradicts --scheduler-config " + schedulerConfig
                            + ", which sets it: give one of them");
                }
            }
            if (!Files.isRegularFile(schedulerConfig)) {
                throw new IllegalArgumentException("--scheduler-config " + schedulerConfig + " is not a file");
            }
            com.fasterxml.jackson.databind.JsonNode json;
            try {
                json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(schedulerConfig.toFile());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--scheduler-config " + schedulerConfig + ": not JSON ("
                        + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            org.ddpm4j.exporter.diffusers.DiffusersScheduler.Settings st;
            try {
                st = org.ddpm4j.exporter.diffusers.DiffusersScheduler.settings(json);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--scheduler-config " + schedulerConfig + ": " + e.getMessage());
            }
            info = ModelInfo.of(st.prediction(), st.schedule(), h, w, c, st.clipSample());
        } else {
            ScheduleType type = ScheduleType.fromId(schedule);
            NoiseSchedule s = NoiseSchedule.of(type, timesteps, betaStart, betaEnd);
            info = ModelInfo.of(Prediction.fromId(prediction), s, h, w, c, Boolean.parseBoolean(clipSample));
        }
        if (classNames != null && classCount == null) {
            throw new IllegalArgumentException("--class-names needs --class-count K");
        }
        if (classCount != null) {
            if (classCount < 1) {
                throw new IllegalArgumentException("--class-count must be a positive integer, found " + classCount);
            }
            List<String> names = classNames == null ? List.of() : classNames.stream().map(String::trim).toList();
            if (!names.isEmpty() && names.size() != classCount) {
                throw new IllegalArgumentException("--class-names names " + names.size() + " classes, expected "
                        + classCount + " (--class-count)");
            }
            info = info.withClasses(classCount, names);
        }
        return info;
    }

    private static int dim(TensorSpec sample, int i, String option, String name) {
        long d = sample.dim(i);
        if (d <= 0) {
            throw new IllegalArgumentException(name + ": input 'sample' has a dynamic dimension " + i + " (" + sample
                    + "); give it with " + option);
        }
        return (int) d;
    }

    /** Graph inputs that are not initializers (older exporters list initializers as inputs too). */
    private static List<ValueInfoProto> graphInputs(OnnxMl.GraphProto graph) {
        Set<String> initializers = graph.getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        return graph.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
    }

    private static List<TensorSpec> specs(List<ValueInfoProto> values) {
        List<TensorSpec> out = new ArrayList<>();
        for (ValueInfoProto v : values) {
            if (!v.getType().hasTensorType()) {
                out.add(new TensorSpec(v.getName(), "non-tensor", new long[0]));
                continue;
            }
            OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
            long[] shape = t.getShape().getDimList().stream()
                    .mapToLong(d -> d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1).toArray();
            out.add(new TensorSpec(v.getName(), typeName(t.getElemType()), shape));
        }
        return out;
    }

    private static String typeName(int elemType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(elemType);
        if (type == null) {
            return "type" + elemType;
        }
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
