/**
 * How the {@code ddpm} command line is put together at start-up: a picocli command tree that
 * introspects only the subcommands a command line names ({@link org.ddpm4j.tools.cli.LazyCommandTree}),
 * and a factory that starts Micronaut's application context only for a command that is a Micronaut
 * bean ({@link org.ddpm4j.tools.cli.CommandFactory}).
 */
package org.ddpm4j.tools.cli;
