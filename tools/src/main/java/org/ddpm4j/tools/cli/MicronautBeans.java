package org.ddpm4j.tools.cli;

import io.micronaut.configuration.picocli.MicronautFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;

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
        return loader.getResource(pkg + "$" + simple + "$Definition.class") != null;
    }

    <K> K create(Class<K> cls) throws Exception {
        return factory.create(cls);
    }

    @Override
    public void close() {
        factory.close();
    }
}
