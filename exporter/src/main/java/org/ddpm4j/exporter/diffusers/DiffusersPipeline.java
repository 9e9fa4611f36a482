package org.ddpm4j.exporter.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.ddpm4j.exporter.ModelSource;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.trainer.model.DiffusersUnet;

/**
 * A Hugging Face diffusers {@code DDPMPipeline} folder, written from and read into a {@link ModelSource}:
 * <pre>
 * model_index.json                          DDPMPipeline: unet + scheduler
 * unet/config.json                          UNet2DModel config ({@link DiffusersUnet#config})
 * unet/diffusion_pytorch_model.safetensors  the weights under diffusers' names
 * scheduler/scheduler_config.json           DDPMScheduler ({@link DiffusersScheduler})
 * README.md                                 the model card ({@link ModelCard})
 * </pre>
 * What ddpm4j knows beyond diffusers' config travels in {@code unet/config.json} under keys that start with
 * an underscore, which diffusers ignores: a conditional model's class names ({@code _ddpm4j_class_names}),
 * which weights these are ({@code _ddpm4j_weights}: ema or raw) and the training provenance
 * ({@code _ddpm4j_train}), so that an import gives back the file an ONNX export of the checkpoint gives.
 */
public final class DiffusersPipeline {

    /** The pipeline index file. */
    public static final String MODEL_INDEX = "model_index.json";
    /** The scheduler config, under {@code scheduler/}. */
    public static final String SCHEDULER_CONFIG = "scheduler_config.json";
    /** The model card. */
    public static final String CARD = "README.md";
    /** unet/config.json key holding a conditional model's class names (ignored by diffusers). */
    public static final String CLASS_NAMES_KEY = "_ddpm4j_class_names";
    /** unet/config.json key holding which weights were exported (ema or raw). */
    public static final String WEIGHTS_KEY = "_ddpm4j_weights";
    /** unet/config.json key holding the training provenance (the ddpm.train.* entries). */
    public static final String TRAIN_KEY = "_ddpm4j_train";

    private static final ObjectMapper JSON = new ObjectMapper();

    private DiffusersPipeline() {
    }

    /** What an export wrote. */
    public record Report(Path folder, long bytes, long parameterCount, long millis) {
    }

    /**
     * Writes {@code source} as a pipeline folder at {@code out}: into a temporary folder next to it,
     * read back and compared (config to the same spec, every weight bit for bit), then renamed into
     * place. An existing diffusers folder at {@code out} is replaced only once the new one is complete;
     * any other existing content is refused, so nothing already written is lost.
     *
     * @throws IllegalArgumentException when {@code out} holds something else, or the model has no diffusers form
     * @throws IOException              when writing fails (nothing is left behind)
     */
    public static Report write(ModelSource source, Path out, Consumer<String> progress) throws IOException {
        long start = System.nanoTime();
        Path target = out.toAbsolutePath().normalize();
        checkTarget(target);
        DiffusersUnet.config(source.spec()); // refuses a spec without a diffusers form before any file is written
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            progress.accept("writing unet/ (" + source.spec().parameterCount() + " parameters, safetensors),"
                    + " scheduler/ and the model card");
            writeInto(tmp, source);
            progress.accept("reading the folder back and comparing every weight");
            ModelSource back = read(tmp, null);
            if (!back.spec().equals(source.spec())) {
                throw new IllegalStateException("the written config reads back as " + back.spec() + ", expected "
                        + source.spec());
            }
            for (Map.Entry<String, float[]> e : source.weights().entrySet()) {
                if (!Arrays.equals(e.getValue(), back.weights().get(e.getKey()))) {
                    throw new IllegalStateException("the written weights of " + e.getKey() + " read back differently");
                }
            }
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    AtomicFiles.readableByAll(p, Files.isDirectory(p));
                    AtomicFiles.force(p);
                }
            }
            replace(tmp, target);
        } finally {
            deleteTree(tmp);
        }
        long bytes;
        try (Stream<Path> files = Files.walk(target)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        return new Report(target, bytes, source.spec().parameterCount(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Refuses an {@code out} that is a file or a non-empty folder other than a diffusers folder. */
    public static void checkTarget(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, expected a folder for the diffusers"
                    + " pipeline (model_index.json, unet/, scheduler/)");
        }
        if (Files.isDirectory(out) && !isEmpty(out) && !Files.isRegularFile(out.resolve(MODEL_INDEX))) {
            throw new IllegalArgumentException("--out " + out + " is a folder that holds other files and no "
                    + MODEL_INDEX + "; choose a new or empty folder (nothing is overwritten)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void writeInto(Path dir, ModelSource source) throws IOException {
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("_class_name", "DDPMPipeline");
        index.put("_diffusers_version", DiffusersUnet.DIFFUSERS_VERSION);
        index.putArray("scheduler").add("diffusers").add("DDPMScheduler");
        index.putArray("unet").add("diffusers").add("UNet2DModel");
        writeJson(dir.resolve(MODEL_INDEX), index);

        Path unet = Files.createDirectories(dir.resolve("unet"));
        DiffusersUnet.write(unet, source.spec(), source.weights());
        ObjectNode config = (ObjectNode) JSON.readTree(unet.resolve(DiffusersUnet.CONFIG).toFile());
        if (source.spec().conditional() && !source.classNames().isEmpty()) {
            ArrayNode names = config.putArray(CLASS_NAMES_KEY);
            source.classNames().forEach(names::add);
        }
        config.put(WEIGHTS_KEY, source.weightsKind());
        ObjectNode train = config.putObject(TRAIN_KEY);
        source.provenance().forEach(train::put);
        writeJson(unet.resolve(DiffusersUnet.CONFIG), config);
        Path scheduler = Files.createDirectories(dir.resolve("scheduler"));
        writeJson(scheduler.resolve(SCHEDULER_CONFIG),
                DiffusersScheduler.config(source.schedule(), source.prediction(), source.clipSample()));
        Files.writeString(dir.resolve(CARD), ModelCard.markdown(source));
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    }

    /** Moves {@code tmp} to {@code target}, setting an existing target aside until the move is done. */
    private static void replace(Path tmp, Path target) throws IOException {
        Path aside = null;
        if (Files.exists(target)) {
            aside = target.resolveSibling("." + target.getFileName() + ".replaced-" + System.nanoTime());
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (aside != null) {
                Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (aside != null) {
            deleteTree(aside);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Reads a pipeline folder (or its {@code unet/} folder): the UNet through {@link DiffusersUnet#read},
     * the schedule from {@code schedulerConfig} when given, else from the pipeline's
     * {@code scheduler/scheduler_config.json}, else {@code DDPMScheduler}'s defaults (linear 1e-4..0.02,
     * T = 1000, epsilon, clipped).
     *
     * @throws IOException              when a file is missing or corrupt
     * @throws IllegalArgumentException when a config or the weights are refused (one line)
     */
    public static ModelSource read(Path folder, Path schedulerConfig) throws IOException {
        DiffusersUnet.Loaded unet = DiffusersUnet.read(folder);
        Path schedulerFile = schedulerConfig;
        if (schedulerFile == null) {
            Path pipeline = unet.unetFolder().toAbsolutePath().normalize().getParent();
            Path candidate = pipeline == null ? null : pipeline.resolve("scheduler").resolve(SCHEDULER_CONFIG);
            schedulerFile = candidate != null && Files.isRegularFile(candidate) ? candidate : null;
        }
        DiffusersScheduler.Settings settings;
        if (schedulerFile == null) {
            settings = DiffusersScheduler.settings(JsonNodeFactory.instance.objectNode());
        } else {
            try {
                settings = DiffusersScheduler.settings(JSON.readTree(schedulerFile.toFile()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException("corrupt " + schedulerFile + ": " + e.getOriginalMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(schedulerFile + ": " + e.getMessage(), e);
            }
        }
        JsonNode config = JSON.readTree(unet.unetFolder().resolve(DiffusersUnet.CONFIG).toFile());
        List<String> classNames = new ArrayList<>();
        if (unet.spec().conditional() && config.path(CLASS_NAMES_KEY).isArray()
                && config.get(CLASS_NAMES_KEY).size() == unet.spec().classCount()) {
            config.get(CLASS_NAMES_KEY).forEach(n -> classNames.add(n.asText()));
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        config.path(TRAIN_KEY).fields().forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
        String weightsKind = config.path(WEIGHTS_KEY).asText("raw").equals("ema") ? "ema" : "raw";
        provenance.put("source", "diffusers");
        provenance.put("diffusers_version", unet.diffusersVersion());
        provenance.put("folder", String.valueOf(folder.toAbsolutePath().normalize().getFileName()));
        provenance.put("scheduler_config", schedulerFile == null ? "none (DDPMScheduler defaults)" : schedulerFile.getFileName().toString());
        return new ModelSource(unet.spec(), unet.weights(), settings.schedule(), settings.prediction(),
                settings.clipSample(), classNames, weightsKind, provenance, "diffusers folder " + folder);
    }
}
