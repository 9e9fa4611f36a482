/**
 * The {@code ddpm} command line (Micronaut + picocli): train, export, verify, inspect, sample, adopt,
 * fid and bench. Failures end in one line and an exit code ({@link org.ddpm4j.tools.CliErrors}).
 */
package org.ddpm4j.tools;
