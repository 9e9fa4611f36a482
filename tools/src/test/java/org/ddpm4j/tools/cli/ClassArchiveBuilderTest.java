package org.ddpm4j.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class list the static archive is dumped from keeps every line but the lambda classes whose
 * interface is an old (pre-Java 6) class file, which the dump would link and so leave out of the
 * archive together with every class implementing that interface.
 */
class ClassArchiveBuilderTest {

    private static final ClassLoader LOADER = ClassArchiveBuilderTest.class.getClassLoader();
    // lines as JDK 17's -XX:DumpLoadedClassList writes them for ddpm
    private static final String PICOCLI_LAMBDA = "@lambda-proxy org/ddpm4j/tools/DdpmCommand handleExecutionException"
            + " ()Lpicocli/CommandLine$IExecutionExceptionHandler; (Ljava/lang/Exception;Lpicocli/CommandLine;"
            + "Lpicocli/CommandLine$ParseResult;)I REF_invokeStatic org/ddpm4j/tools/CliErrors handle"
            + " (Ljava/lang/Exception;Lpicocli/CommandLine;Lpicocli/CommandLine$ParseResult;)I"
            + " (Ljava/lang/Exception;Lpicocli/CommandLine;Lpicocli/CommandLine$ParseResult;)I";
    private static final String RUNNABLE_LAMBDA = "@lambda-proxy org/ddpm4j/tools/cli/LazyCommandTree run"
            + " (Lpicocli/CommandLine$Command;)Ljava/lang/Runnable; ()V REF_invokeStatic"
            + " org/ddpm4j/tools/cli/LazyCommandTree lambda$standIn$0 (Lpicocli/CommandLine$Command;)V ()V";

    @Test
    void picocliIsAnOldClassFileAndOurClassesAreNot() {
        assertEquals(49, ClassArchiveBuilder.majorVersion("picocli/CommandLine$IExecutionExceptionHandler.class", LOADER));
        assertTrue(ClassArchiveBuilder.majorVersion("org/ddpm4j/tools/DdpmCommand.class", LOADER) >= 61);
        assertTrue(ClassArchiveBuilder.majorVersion("java/lang/Runnable.class", LOADER) >= 61);
        assertEquals(-1, ClassArchiveBuilder.majorVersion("no/such/Thing.class", LOADER));
    }

    @Test
    void dropsOnlyLambdasOfOldInterfaces() {
        assertFalse(ClassArchiveBuilder.keep(PICOCLI_LAMBDA, LOADER));
        assertTrue(ClassArchiveBuilder.keep(RUNNABLE_LAMBDA, LOADER));
        assertTrue(ClassArchiveBuilder.keep("picocli/CommandLine$IExecutionExceptionHandler id: 12", LOADER));
        assertTrue(ClassArchiveBuilder.keep("@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.Invokers$Holder"
                + " invoker L3_L", LOADER));
        assertTrue(ClassArchiveBuilder.keep("@lambda-proxy a b (L;)Lno/such/Iface; ()V", LOADER), "unknown: kept");
        assertTrue(ClassArchiveBuilder.keep("@lambda-proxy short", LOADER));
    }

    @Test
    void filtersAFile(@TempDir Path dir) throws Exception {
        Path in = Files.write(dir.resolve("in.lst"), List.of("# NOTE", "java/lang/Object id: 0", PICOCLI_LAMBDA,
                RUNNABLE_LAMBDA), StandardCharsets.UTF_8);
        Path out = dir.resolve("out.lst");
        assertEquals(1, ClassArchiveBuilder.filter(in, out, LOADER));
        assertEquals(List.of("# NOTE", "java/lang/Object id: 0", RUNNABLE_LAMBDA), Files.readAllLines(out));
    }
}
