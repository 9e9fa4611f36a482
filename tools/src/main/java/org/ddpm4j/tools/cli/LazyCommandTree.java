package org.ddpm4j.tools.cli;

import java.lang.annotation.Annotation;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * Builds a picocli command tree from {@code @Command(subcommands = ...)} classes, introspecting only
 * the subcommands that the command line names.
 *
 * <p>picocli builds the full model of every subcommand when it meets a command class: it reflects
 * over each class's options and creates each command object, which loads and links the class and
 * whatever its verification needs (the trainer's DJL classes, for {@code train}). For
 * {@code ddpm --version} that was a fifth of the process's time. Here a subcommand is built in full
 * only when one of its names appears among the arguments ({@code ddpm sample ...},
 * {@code ddpm help sample}); the others are stand-ins carrying the name, aliases, header and
 * description from their annotation, which is all that a parent's usage help and picocli's error
 * messages read. The help subcommand is always built. The class lists stay in the
 * {@code subcommands} attribute of each parent's {@code @Command}, so adding a subcommand is adding a
 * class there, as with plain picocli.
 *
 * <p>A parent command is wrapped without inspection (name, version, description, standard help
 * options and its {@code @Spec} field are copied over from its annotation) when it declares no
 * options or parameters of its own; a parent that does is built by picocli as usual, so nothing is
 * ever lost, only not sped up.
 */
public final class LazyCommandTree {

    private LazyCommandTree() {
    }

    /**
     * The command line for {@code root}, with the subcommands that {@code args} names built in full.
     *
     * @throws IllegalArgumentException when a class in the tree is not a picocli command
     */
    public static CommandLine build(Class<?> root, IFactory factory, String... args) {
        return build(root, factory, new HashSet<>(Arrays.asList(args)));
    }

    private static CommandLine build(Class<?> cls, IFactory factory, Set<String> words) {
        Command command = cls.getAnnotation(Command.class);
        if (command == null || command.subcommands().length == 0 || !wrappable(cls, command)) {
            return new CommandLine(cls, factory);
        }
        Object instance;
        try {
            instance = factory.create(cls);
        } catch (Exception e) {
            throw new CommandLine.InitializationException("cannot create " + cls.getName() + ": " + e, e);
        }
        CommandSpec spec = CommandSpec.wrapWithoutInspection(instance, factory);
        spec.name(command.name());
        spec.aliases(command.aliases());
        spec.version(command.version());
        spec.mixinStandardHelpOptions(command.mixinStandardHelpOptions());
        spec.usageMessage()
                .header(command.header())
                .description(command.description())
                .footer(command.footer())
                .autoWidth(command.usageHelpAutoWidth())
                .hidden(command.hidden());
        injectSpec(instance, spec);
        CommandLine line = new CommandLine(spec, factory);
        for (Class<?> sub : command.subcommands()) {
            Command subCommand = sub.getAnnotation(Command.class);
            if (subCommand == null) {
                throw new IllegalArgumentException(sub.getName() + " is listed as a subcommand of "
                        + cls.getName() + " but has no @Command annotation");
            }
            if (sub == CommandLine.HelpCommand.class || named(subCommand, words)) {
                line.addSubcommand(build(sub, factory, words));
            } else {
                line.addSubcommand(subCommand.name(), standIn(subCommand), subCommand.aliases());
            }
        }
        return line;
    }

    /** A subcommand's stand-in: what the parent's help lists, and nothing to run. */
    private static CommandLine standIn(Command command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Runnable) () -> {
            throw new IllegalStateException("subcommand '" + command.name() + "' was run without being built");
        });
        spec.name(command.name());
        spec.usageMessage()
                .header(command.header())
                .description(command.description())
                .hidden(command.hidden());
        return new CommandLine(spec);
    }

    private static boolean named(Command command, Set<String> words) {
        if (words.contains(command.name())) {
            return true;
        }
        for (String alias : command.aliases()) {
            if (words.contains(alias)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether copying the annotation is enough for {@code cls}: it declares no options, parameters,
     * mixins or groups, and no annotation attribute that is not copied.
     */
    private static boolean wrappable(Class<?> cls, Command command) {
        if (!isDefault(command, "versionProvider") || !isDefault(command, "defaultValueProvider")
                || !isDefault(command, "modelTransformer") || !command.resourceBundle().isEmpty()
                || command.addMethodSubcommands() && hasCommandMethods(cls)) {
            return false;
        }
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (declaresArgument(f)) {
                    return false;
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (declaresArgument(m)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isDefault(Command command, String attribute) {
        try {
            Method m = Command.class.getMethod(attribute);
            return m.invoke(command).equals(m.getDefaultValue());
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static boolean hasCommandMethods(Class<?> cls) {
        for (Method m : cls.getDeclaredMethods()) {
            if (m.isAnnotationPresent(Command.class)) {
                return true;
            }
        }
        return false;
    }

    private static boolean declaresArgument(AccessibleObject member) {
        for (Class<? extends Annotation> a : List.of(Option.class, Parameters.class, Mixin.class,
                ArgGroup.class, Unmatched.class)) {
            if (member.isAnnotationPresent(a)) {
                return true;
            }
        }
        return false;
    }

    private static void injectSpec(Object instance, CommandSpec spec) {
        for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Spec.class) && f.getType().isAssignableFrom(CommandSpec.class)) {
                    try {
                        f.setAccessible(true);
                        f.set(instance, spec);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        throw new CommandLine.InitializationException("cannot set the @Spec field " + f + ": " + e, e);
                    }
                }
            }
        }
    }
}
