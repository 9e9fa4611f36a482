package org.ddpm4j.trainer.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Writes checkpoints into a run folder: {@code <run>/checkpoints/step-NNNNNNNN/}, each written into
 * a temporary folder and renamed into place, the newest {@code keep} kept, and {@code <run>/last}
 * (a symbolic link, replaced atomically) pointing at the newest.
 *
 * <p>Crash safety: every file is synced to the disk before its folder is renamed into place, and
 * the folders after. Re-saving a step that exists first renames the old copy aside
 * ({@code .step-N.replaced-*}) and deletes it only once the new one is in place. A process killed
 * at any point leaves either the old or the new checkpoint under {@code step-N}, plus hidden
 * leftovers that {@link #recover()} clears when a run starts or resumes (restoring a set-aside copy
 * whose replacement never arrived).
 */
public final class CheckpointStore {

    /** The folder of checkpoints inside a run folder. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The link to the newest checkpoint inside a run folder. */
    public static final String LAST = "last";
    private static final String PREFIX = "step-";
    private static final String REPLACED = ".replaced-";

    private final Path runDir;
    private final int keep;

    /**
     * @param runDir the run folder
     * @param keep   how many checkpoints to keep (at least 1)
     */
    public CheckpointStore(Path runDir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1, found " + keep);
        }
        this.runDir = runDir;
        this.keep = keep;
    }

    /** The folder name of the checkpoint after {@code step} steps. */
    public static String folderName(long step) {
        return String.format(Locale.ROOT, PREFIX + "%08d", step);
    }

    /** The checkpoint folders under {@code checkpointsDir}, oldest (lowest step) first. */
    public static List<Path> listCheckpoints(Path checkpointsDir) throws IOException {
        if (!Files.isDirectory(checkpointsDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(checkpointsDir)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
                    .filter(Files::isDirectory)
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
                    .toList();
        }
    }

    private static long stepOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(PREFIX.length()));
    }

    /**
     * Saves a checkpoint and returns its folder.
     *
     * @param weights    raw weights by canonical name, spec order
     * @param ema        EMA weights by canonical name
     * @param optimizer  Adam's moments
     * @param gitCommit  commit of the training code, or null
     */
    public Path save(long step, UnetSpec spec, TrainingConfig config, Map<String, float[]> weights,
            Map<String, float[]> ema, OptimizerState optimizer, String gitCommit) throws IOException {
        return save(step, spec, config, weights, ema, optimizer, gitCommit, null);
    }

    /**
     * As {@link #save(long, UnetSpec, TrainingConfig, Map, Map, OptimizerState, String)}, recording what
     * the run has cost up to this step ({@code clock}, or nothing when null), which a resumed run continues.
     */
    public Path save(long step, UnetSpec spec, TrainingConfig config, Map<String, float[]> weights,
            Map<String, float[]> ema, OptimizerState optimizer, String gitCommit,
            org.ddpm4j.trainer.train.TrainingClock clock) throws IOException {
        Path checkpoints = runDir.resolve(CHECKPOINTS);
        Files.createDirectories(checkpoints);
        Path target = checkpoints.resolve(folderName(step));
        Path tmp = Files.createTempDirectory(checkpoints, "." + folderName(step) + "-");
        try {
            readableByAll(tmp, true);
            Map<String, String> meta = Map.of("format", Checkpoint.FORMAT, "step", Long.toString(step));
            SafeTensors.write(tmp.resolve(Checkpoint.WEIGHTS), tensors(spec, weights, ""), meta);
            SafeTensors.write(tmp.resolve(Checkpoint.EMA), tensors(spec, ema, ""), meta);
            Map<String, SafeTensors.Tensor> opt = new LinkedHashMap<>();
            opt.putAll(tensors(spec, optimizer.firstMoment(), Checkpoint.FIRST_MOMENT_PREFIX));
            opt.putAll(tensors(spec, optimizer.secondMoment(), Checkpoint.SECOND_MOMENT_PREFIX));
            SafeTensors.write(tmp.resolve(Checkpoint.OPTIMIZER), opt,
                    Map.of("format", Checkpoint.FORMAT, "step", Long.toString(optimizer.step())));
            ObjectNode desc = Checkpoint.JSON.createObjectNode();
            desc.put("format", Checkpoint.FORMAT);
            desc.put("step", step);
            desc.put("created", Instant.now().toString());
            if (gitCommit != null) {
                desc.put("git_commit", gitCommit);
            }
            desc.put("parameters", spec.parameterCount());
            desc.set("spec", Checkpoint.JSON.valueToTree(spec));
            desc.set("config", Checkpoint.JSON.valueToTree(config));
            if (clock != null) {
                desc.set("clock", Checkpoint.JSON.valueToTree(clock));
            }
            ObjectNode files = desc.putObject("files");
            files.put("weights", Checkpoint.WEIGHTS);
            files.put("ema", Checkpoint.EMA);
            files.put("optimizer", Checkpoint.OPTIMIZER);
            Checkpoint.JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(Checkpoint.DESCRIPTION).toFile(), desc);
            try (Stream<Path> written = Files.list(tmp)) {
                for (Path f : written.toList()) {
                    readableByAll(f, false);
                    AtomicFiles.force(f);
                }
            }
            AtomicFiles.force(tmp);
            Path replaced = null;
            if (Files.exists(target)) {
                replaced = checkpoints.resolve("." + folderName(step) + REPLACED + System.nanoTime());
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.force(checkpoints);
            if (replaced != null) {
                deleteTree(replaced);
            }
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        pointLastAt(target);
        prune(target);
        return target;
    }

    /**
     * Clears what a killed process left behind in the run folder: temporary checkpoint folders
     * ({@code checkpoints/.step-*}), {@code .last-*} links and the temporary files of interrupted
     * writes ({@code .loss.png.NNN.tmp}, in the run folder and {@code samples/}) are deleted; a checkpoint set aside
     * for replacement whose replacement never arrived is renamed back; a {@code last} link whose
     * checkpoint is gone is pointed at the newest one left.
     *
     * @return one line per thing done, for the log (empty when the folder was clean)
     */
    public List<String> recover() throws IOException {
        List<String> done = new ArrayList<>();
        Path checkpoints = runDir.resolve(CHECKPOINTS);
        if (Files.isDirectory(checkpoints)) {
            List<Path> hidden;
            try (Stream<Path> s = Files.list(checkpoints)) {
                hidden = s.filter(p -> p.getFileName().toString().startsWith("." + PREFIX)).sorted().toList();
            }
            for (Path p : hidden) {
                String name = p.getFileName().toString();
                int mark = name.indexOf(REPLACED);
                Path original = mark > 0 ? checkpoints.resolve(name.substring(1, mark)) : null;
                if (original != null && !Files.exists(original) && Files.isDirectory(p)) {
                    Files.move(p, original, StandardCopyOption.ATOMIC_MOVE);
                    done.add("restored " + original + " (its replacement was never completed)");
                } else {
                    deleteTree(p);
                    done.add("removed " + p + " (left by an interrupted checkpoint write)");
                }
            }
        }
        for (Path dir : List.of(runDir, runDir.resolve("samples"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> stale;
            try (Stream<Path> s = Files.list(dir)) {
                stale = s.filter(p -> p.getFileName().toString().startsWith(".last-") || AtomicFiles.isTemporary(p))
                        .toList();
            }
            for (Path p : stale) {
                Files.deleteIfExists(p);
                done.add("removed " + p + " (left by an interrupted write)");
            }
        }
        Path last = runDir.resolve(LAST);
        if (Files.isSymbolicLink(last) && !Files.exists(last)) {
            List<Path> all = listCheckpoints(checkpoints);
            if (all.isEmpty()) {
                Files.delete(last);
                done.add("removed " + last + " (it pointed at a checkpoint that is gone)");
            } else {
                pointLastAt(all.get(all.size() - 1));
                done.add("pointed " + last + " at " + all.get(all.size() - 1) + " (its checkpoint was gone)");
            }
        }
        return done;
    }

    private static Map<String, SafeTensors.Tensor> tensors(UnetSpec spec, Map<String, float[]> values, String prefix) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = values.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("no values for parameter " + p.name());
            }
            out.put(prefix + p.name(), new SafeTensors.Tensor(p.shape(), v));
        }
        return out;
    }

    private void pointLastAt(Path target) throws IOException {
        Path last = runDir.resolve(LAST);
        Path relative = runDir.toAbsolutePath().relativize(target.toAbsolutePath());
        Path tmp = runDir.resolve(".last-" + System.nanoTime());
        try {
            Files.createSymbolicLink(tmp, relative);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.writeString(tmp, relative.toString() + "\n");
        }
        try {
            Files.move(tmp, last, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, last, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void prune(Path newest) throws IOException {
        List<Path> all = new ArrayList<>(listCheckpoints(runDir.resolve(CHECKPOINTS)));
        all.remove(newest);
        all.add(newest);
        all.sort(Comparator.comparingLong(CheckpointStore::stepOf));
        int excess = all.size() - keep;
        for (Path p : all) {
            if (excess <= 0) {
                break;
            }
            if (!p.equals(newest)) {
                deleteTree(p);
                excess--;
            }
        }
    }

    /**
     * Gives a file rw-r--r-- (a folder rwxr-xr-x) where the file system has POSIX permissions:
     * temporary files start private, but checkpoints are meant to be shared.
     */
    public static void readableByAll(Path p, boolean folder) throws IOException {
        org.ddpm4j.runtime.io.AtomicFiles.readableByAll(p, folder);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
