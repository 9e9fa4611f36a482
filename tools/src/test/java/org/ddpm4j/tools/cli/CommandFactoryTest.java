package org.ddpm4j.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.ddpm4j.tools.DdpmCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Micronaut's application context starts only for a command that is a bean: one that injects
 * something gets it injected, and the ddpm commands, which inject nothing, never start it.
 */
class CommandFactoryTest {

    /** A command with an injected field: Micronaut's annotation processor writes a bean definition for it. */
    @Command(name = "beany")
    public static final class InjectedCommand implements Runnable {

        @Inject
        ApplicationContext context;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print("injected " + (context != null && context.isRunning()));
        }
    }

    /** A parent listing a bean command and a plain one, as DdpmCommand lists its subcommands. */
    @Command(name = "parent", mixinStandardHelpOptions = true, subcommands = {InjectedCommand.class, PlainCommand.class})
    public static final class Parent implements Runnable {
        @Override
        public void run() {
        }
    }

    /** A command without beans. */
    @Command(name = "plain")
    public static final class PlainCommand implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void aCommandThatInjectsGetsMicronautsContext() {
        assertTrue(MicronautBeans.isBean(InjectedCommand.class));
        try (CommandFactory factory = new CommandFactory(Parent.class)) {
            CommandLine line = LazyCommandTree.build(Parent.class, factory, "beany");
            StringWriter out = new StringWriter();
            line.setOut(new PrintWriter(out));
            assertEquals(0, line.execute("beany"));
            assertEquals("injected true", out.toString());
            assertTrue(factory.micronautStarted());
        }
    }

    @Test
    void aBeanInAJarIsFoundInItsJar() {
        // micronaut-context's jar holds $ApplicationConfiguration$Definition beside the class
        assertTrue(MicronautBeans.isBean(io.micronaut.runtime.ApplicationConfiguration.class));
    }

    @Test
    void plainCommandsNeverStartMicronaut() throws Exception {
        assertFalse(MicronautBeans.isBean(PlainCommand.class));
        assertFalse(MicronautBeans.isBean(DdpmCommand.class));
        assertFalse(MicronautBeans.isBean(String.class));
        assertFalse(MicronautBeans.isBean(CommandLine.class), "a class in a jar without a definition");
        try (CommandFactory factory = new CommandFactory(Parent.class)) {
            assertEquals(0, LazyCommandTree.build(Parent.class, factory, "plain").execute("plain"));
            assertNotNull(factory.create(java.util.ArrayList.class));
            assertFalse(factory.micronautStarted());
        }
    }
}
