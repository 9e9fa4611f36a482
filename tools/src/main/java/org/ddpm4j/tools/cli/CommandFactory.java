package org.ddpm4j.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Creates the command objects picocli asks for. A command class that Micronaut compiled a bean
 * definition for (it injects beans, or is a bean itself) is created by Micronaut's application
 * context, which is started on the first such request and closed with this factory; every other
 * class is created by picocli's default factory, so a command that needs no beans never pays for
 * Micronaut's start-up (about half a second of a short command on a 2-core machine).
 */
public final class CommandFactory implements IFactory, AutoCloseable {

    static {
        // picocli's default factory looks for Groovy's Closure class once, unless told not to: no ddpm command is
        // Groovy, and a class the class loader does not find costs opening every jar on the class path.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
    }

    private final Class<?> mainClass;
    private final IFactory plain = CommandLine.defaultFactory();
    private MicronautBeans beans;

    /**
     * @param mainClass the application's main class (Micronaut deduces its package from it)
     */
    public CommandFactory(Class<?> mainClass) {
        this.mainClass = mainClass;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (MicronautBeans.isBean(cls)) {
            return beans().create(cls);
        }
        return plain.create(cls);
    }

    /** Whether Micronaut's application context was started (for tests). */
    public boolean micronautStarted() {
        return beans != null;
    }

    private synchronized MicronautBeans beans() {
        if (beans == null) {
            beans = MicronautBeans.start(mainClass);
        }
        return beans;
    }

    @Override
    public synchronized void close() {
        if (beans != null) {
            beans.close();
            beans = null;
        }
    }
}
