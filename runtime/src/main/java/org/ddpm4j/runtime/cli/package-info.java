/**
 * The command-line options that {@code ddpm} (the tools module) and {@code ddpm-spark} (the spark module)
 * share, each declared once, with one default and one description, as picocli mixins:
 * {@link org.ddpm4j.runtime.cli.DeviceOption}, {@link org.ddpm4j.runtime.cli.ThreadsOption},
 * {@link org.ddpm4j.runtime.cli.RuntimeOptions} (both plus {@code --optimization}),
 * {@link org.ddpm4j.runtime.cli.SamplingOptions} (the sampler settings), {@link org.ddpm4j.runtime.cli.SeedOption}
 * and {@link org.ddpm4j.runtime.cli.ImageCountOptions}.
 *
 * <p>They live in the runtime because it is the one module that both command lines depend on (the tools
 * module brings DJL, which the Spark application must never see). picocli is a {@code provided} dependency
 * of the runtime: the command lines bring their own, and programs that embed the runtime neither get picocli
 * nor load this package.
 */
package org.ddpm4j.runtime.cli;
