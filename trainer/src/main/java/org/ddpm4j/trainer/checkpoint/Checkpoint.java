package org.ddpm4j.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * A saved training state: a folder {@code checkpoints/step-NNNNNNNN/} holding
 * {@code weights.safetensors}, {@code ema.safetensors}, {@code optimizer.safetensors} and
 * {@code checkpoint.json} (step, UNet spec, training configuration, git commit).
 */
public final class Checkpoint {

    /** The description file of every checkpoint folder. */
    public static final String DESCRIPTION = "checkpoint.json";
    /** The raw weights, canonical parameter names. */
    public static final String WEIGHTS = "weights.safetensors";
    /** The EMA weights, canonical parameter names: what samples and exports use. */
    public static final String EMA = "ema.safetensors";
    /** Adam's moments, names {@code adam.m.<param>} and {@code adam.v.<param>}; metadata {@code step}. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** The value of {@code format} in checkpoint.json. */
    public static final String FORMAT = "ddpm4j-checkpoint/1";
    static final String FIRST_MOMENT_PREFIX = "adam.m.";
    static final String SECOND_MOMENT_PREFIX = "adam.v.";

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long step;
    private final UnetSpec spec;
    private final TrainingConfig config;
    private final String gitCommit;
    private final Map<String, float[]> weights;
    private final Map<String, float[]> emaWeights;
    private org.ddpm4j.trainer.train.TrainingClock clock = org.ddpm4j.trainer.train.TrainingClock.ZERO;

    private Checkpoint(Path dir, long step, UnetSpec spec, TrainingConfig config, String gitCommit,
            Map<String, float[]> weights, Map<String, float[]> emaWeights) {
        this.dir = dir;
        this.step = step;
        this.spec = spec;
        this.config = config;
        this.gitCommit = gitCommit;
        this.weights = weights;
        this.emaWeights = emaWeights;
    }

    /**
     * What the run had cost at this step (training CPU and wall seconds, evaluation apart, threads);
     * {@link org.ddpm4j.trainer.train.TrainingClock#ZERO} for a checkpoint written before clocks were kept.
     */
    public org.ddpm4j.trainer.train.TrainingClock clock() {
        return clock;
    }

    /** The checkpoint folder (symbolic links resolved). */
    public Path dir() {
        return dir;
    }

    /** Training steps done when it was saved. */
    public long step() {
        return step;
    }

    /** The UNet it holds weights for. */
    public UnetSpec spec() {
        return spec;
    }

    /** How it was trained. */
    public TrainingConfig config() {
        return config;
    }

    /** The git commit of the code that trained it, or null when unknown. */
    public String gitCommit() {
        return gitCommit;
    }

    /** The raw (trained) weights by canonical name, in spec order. */
    public Map<String, float[]> weights() {
        return weights;
    }

    /** The EMA weights by canonical name, in spec order: what should be exported and sampled from. */
    public Map<String, float[]> emaWeights() {
        return emaWeights;
    }

    /** Reads Adam's state from {@code optimizer.safetensors}. */
    public OptimizerState optimizerState() throws IOException {
        Path file = dir.resolve(OPTIMIZER);
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        for (Map.Entry<String, SafeTensors.Tensor> e : c.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(FIRST_MOMENT_PREFIX)) {
                m.put(k.substring(FIRST_MOMENT_PREFIX.length()), e.getValue().data());
            } else if (k.startsWith(SECOND_MOMENT_PREFIX)) {
                v.put(k.substring(SECOND_MOMENT_PREFIX.length()), e.getValue().data());
            } else {
                throw new IOException("corrupt optimizer state " + file + ": unexpected tensor " + k);
            }
        }
        try {
            UnetModel.checkWeights(spec, m);
            UnetModel.checkWeights(spec, v);
        } catch (IllegalArgumentException e) {
            throw new IOException("optimizer state " + file + " does not match the UNet: " + e.getMessage(), e);
        }
        String s = c.metadata().get("step");
        long adamStep = s == null ? step : Long.parseLong(s);
        return new OptimizerState(adamStep, m, v);
    }

    /**
     * Loads a checkpoint from a checkpoint folder, a run's {@code last} link, or a run folder (its
     * newest checkpoint).
     *
     * @throws IOException naming the file and what is wrong when something is missing or corrupt
     */
    public static Checkpoint load(Path path) throws IOException {
        Path dir = locate(path);
        Path descFile = dir.resolve(DESCRIPTION);
        JsonNode desc;
        try {
            desc = JSON.readTree(descFile.toFile());
        } catch (IOException e) {
            throw new IOException("corrupt checkpoint description " + descFile + ": " + oneLine(e), e);
        }
        if (desc == null || !desc.isObject()) {
            throw new IOException("corrupt checkpoint description " + descFile + ": not a JSON object");
        }
        String format = desc.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw new IOException("checkpoint description " + descFile + ": expected format '" + FORMAT
                    + "', found '" + format + "'");
        }
        for (String key : List.of("step", "spec", "config")) {
            if (!desc.has(key)) {
                throw new IOException("checkpoint description " + descFile + " lacks the key '" + key + "'");
            }
        }
        UnetSpec spec;
        TrainingConfig config;
        try {
            spec = JSON.treeToValue(desc.get("spec"), UnetSpec.class);
            config = JSON.treeToValue(desc.get("config"), TrainingConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("checkpoint description " + descFile + " has an invalid spec or config: "
                    + oneLine(e), e);
        }
        long step = desc.get("step").asLong();
        String git = desc.path("git_commit").isTextual() ? desc.get("git_commit").asText() : null;
        Map<String, float[]> weights = readWeights(dir.resolve(WEIGHTS), spec);
        Map<String, float[]> ema = readWeights(dir.resolve(EMA), spec);
        Checkpoint c = new Checkpoint(dir, step, spec, config, git, weights, ema);
        if (desc.path("clock").isObject()) {
            try {
                c.clock = JSON.treeToValue(desc.get("clock"), org.ddpm4j.trainer.train.TrainingClock.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("checkpoint description " + descFile + " has an invalid clock: " + oneLine(e), e);
            }
        }
        return c;
    }

    private static Map<String, float[]> readWeights(Path file, UnetSpec spec) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, float[]> w = new LinkedHashMap<>();
        Map<String, UnetSpec.Param> expected = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            expected.put(p.name(), p);
        }
        List<String> misshaped = new ArrayList<>();
        for (Map.Entry<String, SafeTensors.Tensor> e : c.tensors().entrySet()) {
            UnetSpec.Param p = expected.get(e.getKey());
            if (p != null && !java.util.Arrays.equals(p.shape(), e.getValue().shape())) {
                misshaped.add(e.getKey() + " is " + java.util.Arrays.toString(e.getValue().shape()) + ", expected "
                        + java.util.Arrays.toString(p.shape()));
            }
            w.put(e.getKey(), e.getValue().data());
        }
        List<String> problems = new ArrayList<>();
        if (!misshaped.isEmpty()) {
            problems.add("misshaped: " + String.join("; ", misshaped));
        }
        try {
            UnetModel.checkWeights(spec, w);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IOException("weights file " + file + " does not match the checkpoint's UNet: "
                    + String.join("; ", problems));
        }
        Map<String, float[]> ordered = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            ordered.put(name, w.get(name));
        }
        return ordered;
    }

    /**
     * Loads the checkpoint a run resumes from, reading every file it needs (weights, EMA, optimizer state).
     * Given a run folder (or its {@code last} link) whose newest checkpoint is damaged, it falls back to the
     * newest intact one and says so through {@code warn}, naming both. Given one checkpoint folder that is
     * damaged, it refuses, naming the newest intact checkpoint of the same run as the exact
     * {@code --resume=<folder>} to use.
     *
     * @throws IOException naming what is damaged (and what to resume from instead, where there is something)
     */
    public static Checkpoint loadForResume(Path path, java.util.function.Consumer<String> warn) throws IOException {
        Path runCheckpoints = path.resolve(CheckpointStore.CHECKPOINTS);
        if (Files.isDirectory(runCheckpoints)) {
            List<Path> all = new ArrayList<>(CheckpointStore.listCheckpoints(runCheckpoints));
            java.util.Collections.reverse(all);
            IOException newestDamage = null;
            for (Path candidate : all) {
                try {
                    Checkpoint c = loadWhole(candidate);
                    if (newestDamage != null) {
                        warn.accept("warning: the newest checkpoint " + all.get(0) + " is damaged ("
                                + oneLine(newestDamage) + "); resuming from " + c.dir() + " (step " + c.step()
                                + "), the newest intact one");
                    }
                    return c;
                } catch (IOException e) {
                    newestDamage = newestDamage == null ? e : newestDamage;
                }
            }
            if (newestDamage != null) {
                throw new IOException(oneLine(newestDamage) + (all.size() > 1
                        ? "; none of the run's " + all.size() + " checkpoints is intact" : ""), newestDamage);
            }
        }
        try {
            return loadWhole(path);
        } catch (IOException damage) {
            Path dir = Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
            Path parent = dir.getParent();
            if (parent != null && parent.getFileName() != null
                    && parent.getFileName().toString().equals(CheckpointStore.CHECKPOINTS)) {
                List<Path> siblings = new ArrayList<>(CheckpointStore.listCheckpoints(parent));
                java.util.Collections.reverse(siblings);
                for (Path other : siblings) {
                    if (other.toAbsolutePath().normalize().equals(dir)) {
                        continue;
                    }
                    Checkpoint c;
                    try {
                        c = loadWhole(other);
                    } catch (IOException notIntact) {
                        continue;
                    }
                    throw new IOException(oneLine(damage) + "; the newest intact checkpoint of this run is " + c.dir()
                            + " (step " + c.step() + "): resume with --resume=" + c.dir(), damage);
                }
            }
            throw damage;
        }
    }

    /** Loads a checkpoint and reads its optimizer state too, so that nothing it holds is damaged. */
    private static Checkpoint loadWhole(Path path) throws IOException {
        Checkpoint c = load(path);
        c.optimizerState();
        return c;
    }

    /** Resolves a checkpoint folder, a {@code last} link or file, or a run folder to a checkpoint folder. */
    public static Path locate(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("no checkpoint at " + path + ": it does not exist");
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(DESCRIPTION)) {
            return path.toRealPath().getParent();
        }
        if (Files.isRegularFile(path)) {
            // a "last" pointer written as a file where symbolic links are unavailable
            return locate(path.toAbsolutePath().getParent().resolve(pointerTarget(path)));
        }
        if (Files.isRegularFile(path.resolve(DESCRIPTION))) {
            return path.toRealPath();
        }
        Path last = path.resolve(CheckpointStore.LAST);
        if (Files.exists(last)) {
            return locate(last);
        }
        Path checkpoints = path.resolve(CheckpointStore.CHECKPOINTS);
        if (Files.isDirectory(checkpoints)) {
            List<Path> all = CheckpointStore.listCheckpoints(checkpoints);
            if (!all.isEmpty()) {
                return all.get(all.size() - 1).toRealPath();
            }
        }
        throw new IOException("no checkpoint at " + path + ": expected a checkpoint folder holding " + DESCRIPTION
                + ", a run folder holding 'last' or 'checkpoints/step-*', or a 'last' link");
    }

    /** Jackson's message without its location lines (the CLI prints one line). */
    private static String oneLine(Exception e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    /** The relative path a "last" pointer file holds; any other file (weights, an ONNX model) is refused by name. */
    private static String pointerTarget(Path file) throws IOException {
        String notACheckpoint = "no checkpoint at " + file + ": it is a file, expected a checkpoint folder holding "
                + DESCRIPTION + ", that file itself, a run folder, or a 'last' pointer";
        if (Files.size(file) > MAX_POINTER_BYTES) {
            throw new IOException(notACheckpoint);
        }
        String target;
        try {
            target = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString().trim();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(notACheckpoint, e);
        }
        if (target.isEmpty() || target.contains("\n") || target.indexOf('\0') >= 0) {
            throw new IOException(notACheckpoint);
        }
        return target;
    }

    private static final int MAX_POINTER_BYTES = 4096;

    static boolean isCheckpointDir(Path p) {
        try (Stream<Path> s = Files.list(p)) {
            return s.anyMatch(f -> f.getFileName().toString().equals(DESCRIPTION));
        } catch (IOException e) {
            return false;
        }
    }
}
