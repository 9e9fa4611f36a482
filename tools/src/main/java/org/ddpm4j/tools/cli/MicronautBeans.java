package org.ddpm4j.tools.cli;

import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.JarFile;

/**
 * Micronaut's application context for the commands that are beans. Kept apart from
 * {@link CommandFactory} so that no Micronaut class is loaded unless a bean is asked for.
 */
final class MicronautBeans implements AutoCloseable {

    private final ApplicationContext context;
    private final MicronautFactory factory;

    private MicronautBeans(ApplicationContext context) {
        this.context = context;
        this.factory = new MicronautFactory(context);
    }

    static MicronautBeans start(Class<?> mainClass) {
        return new MicronautBeans(ApplicationContext.builder(mainClass, Environment.CLI).banner(false).start());
    }

    /**
     * Whether Micronaut's annotation processor wrote a bean definition for {@code cls}
     * ({@code $Name$Definition} beside it), looked up as a resource so that nothing is loaded.
     *
     * <p>The processor writes the definition into the output of the compilation that holds the class, so
     * it is looked for in the class's own jar or folder first. That is where it is found, and where a
     * class that is no bean is settled without asking the class loader: a resource the class loader does
     * not find costs opening every jar on the class path (64 for {@code ddpm}, a tenth of
     * {@code ddpm --version}'s time). A class with no readable code source is asked of its class loader.
     */
    static boolean isBean(Class<?> cls) {
        ClassLoader loader = cls.getClassLoader();
        if (loader == null || cls.isPrimitive() || cls.isArray()) {
            return false;
        }
        String binary = cls.getName();
        int dot = binary.lastIndexOf('.');
        String pkg = dot < 0 ? "" : binary.substring(0, dot + 1).replace('.', '/');
        String simple = binary.substring(dot + 1);
        String definition = pkg + "$" + simple + "$Definition.class";
        Boolean inOwnCode = inCodeSource(cls, definition);
        return inOwnCode != null ? inOwnCode : loader.getResource(definition) != null;
    }

    /** Whether {@code resource} is in the jar or folder {@code cls} was loaded from; null when that cannot be read. */
    private static Boolean inCodeSource(Class<?> cls, String resource) {
        try {
            CodeSource source = cls.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(location)) {
                return Files.isRegularFile(location.resolve(resource));
            }
            // the class loader has this jar open already: the JDK shares its parsed directory with this instance
            try (JarFile jar = new JarFile(location.toFile(), false)) {
                return jar.getEntry(resource) != null;
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    <K> K create(Class<K> cls) throws Exception {
        return factory.create(cls);
    }

    @Override
    public void close() {
        factory.close();
    }
}
