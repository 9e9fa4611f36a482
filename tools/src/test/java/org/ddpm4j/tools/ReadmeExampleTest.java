package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Keeps README.md true to the code.
 *
 * <ul>
 *   <li>The {@code ```java} block of the section "Embedding the runtime" must be a complete source
 *       file: its imports and a class {@code Example} with {@code main(String[] args)}, taking the
 *       model file as {@code args[0]} and the grid PNG to write as {@code args[1]}. Nothing is
 *       added or wrapped, so what compiles here is exactly what a reader copies. The test compiles
 *       it against the test class path, then runs it on a small adopted test model and checks
 *       the grid it writes.</li>
 *   <li>The section "Set up" holds exactly two commands (non-blank, non-comment lines of its fenced
 *       blocks): {@code ./ddpm sample ...}, whose options must parse, and the test command, which
 *       {@code .ci/run} must run.</li>
 * </ul>
 */
class ReadmeExampleTest {

    private static String readme;
    private static Path root;

    @TempDir
    Path dir;

    @BeforeAll
    static void readReadme() throws IOException {
        // Surefire runs with the module folder (tools/) as the working directory.
        Path cwd = Path.of("").toAbsolutePath();
        root = Files.isRegularFile(cwd.resolve("README.md")) && Files.isDirectory(cwd.resolve(".ci"))
                ? cwd : cwd.getParent();
        readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
    }

    @Test
    void setUpHasExactlyTwoCommandsAndCiRunsTheTestCommand() throws IOException {
        List<String> commands = commandLines(section("Set up"));
        assertEquals(2, commands.size(), "the Set up section must hold exactly two commands, found " + commands);
        String sample = commands.get(0);
        String test = commands.get(1);
        assertTrue(sample.startsWith("./ddpm sample"), "first set-up command must be ./ddpm sample, found: " + sample);
        assertTrue(test.startsWith("mvn "), "second set-up command must be the Maven test command, found: " + test);

        List<String> ciLines = Files.readAllLines(root.resolve(".ci").resolve("run"), StandardCharsets.UTF_8)
                .stream().map(String::trim).toList();
        assertTrue(ciLines.contains(test), ".ci/run must run the README's test command '" + test + "', it has " + ciLines);

        // The sample command's options must exist (parsing only: nothing is sampled here).
        String[] words = sample.substring("./ddpm ".length()).trim().split("\\s+");
        CommandLine.ParseResult parsed = new CommandLine(new DdpmCommand()).parseArgs(words);
        assertTrue(parsed.hasSubcommand(), "'" + sample + "' does not name a ddpm subcommand");
        assertEquals("sample", parsed.subcommand().commandSpec().name());
    }

    @Test
    void embeddingExampleCompilesAndWritesAGrid() throws Exception {
        String source = javaBlock(section("Embedding the runtime"));
        assertTrue(source.contains("class Example"), "the java block must declare class Example:\n" + source);

        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Files.createDirectories(src);
        Files.createDirectories(classes);
        Path file = Files.writeString(src.resolve("Example.java"), source, StandardCharsets.UTF_8);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "no system Java compiler: run the tests on a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter compilerOut = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-classpath", testClassPath(), "-d", classes.toString());
            boolean ok = compiler.getTask(compilerOut, files, diagnostics, options, null,
                    files.getJavaFileObjects(file.toFile())).call();
            if (!ok) {
                StringBuilder message = new StringBuilder("README's java example does not compile:\n");
                diagnostics.getDiagnostics().forEach(d -> message.append(d).append('\n'));
                message.append(compilerOut).append("\n--- source ---\n").append(source);
                fail(message.toString());
            }
        }

        // Run it as written, on a small adopted model (cosine, T = 100, 1x8x8) from the adopt test.
        Path adopted = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path grid = dir.resolve("grid.png");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[] {adopted.toString(), grid.toString()});
        }
        assertTrue(Files.isRegularFile(grid), "the example wrote no " + grid);
        var image = ImageIO.read(grid.toFile());
        assertNotNull(image, "the example's grid is not a readable PNG");
        // 16 images of 8x8 in 4 columns at scale 2: the grid is at least 4 * 8 * 2 = 64 pixels wide and tall.
        assertTrue(image.getWidth() >= 64 && image.getHeight() >= 64,
                "grid of 16 8x8 images, 4 columns, scale 2 is only " + image.getWidth() + "x" + image.getHeight());

        // And with a class, on a tiny class-conditional export: guided images, class and guidance in the PNG.
        Path conditional = dir.resolve("cond.onnx");
        org.ddpm4j.trainer.model.UnetSpec cspec = org.ddpm4j.trainer.model.UnetSpec.preset("tiny").withClassCount(2);
        try (org.ddpm4j.trainer.model.UnetModel m = org.ddpm4j.trainer.model.UnetModel.create(cspec, 3)) {
            org.ddpm4j.exporter.ModelExporter.builder().setSpec(cspec).setWeights(m.weights())
                    .optClassNames(List.of("dark", "bright")).build().export(conditional);
        }
        Path classGrid = dir.resolve("class-grid.png");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[] {conditional.toString(), classGrid.toString(), "bright"});
        }
        String png = new String(Files.readAllBytes(classGrid), StandardCharsets.ISO_8859_1);
        assertTrue(png.contains("ddpm.guidance\u00003.0"), "the grid records the guidance scale");
        assertTrue(png.contains("ddpm.class\u00001,1,1"), "the grid records the class of each image");

        // And without a class: each seed's class, s mod 2
        Path seedGrid = dir.resolve("seed-grid.png");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[] {conditional.toString(), seedGrid.toString()});
        }
        String seedPng = new String(Files.readAllBytes(seedGrid), StandardCharsets.ISO_8859_1);
        assertTrue(seedPng.contains("ddpm.class\u00000,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1"), "classes by seed in the grid");
    }

    /** The text of the {@code ## title} section, up to the next {@code ## } heading. */
    private static String section(String title) {
        String[] lines = readme.split("\n", -1);
        StringBuilder out = null;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                if (out != null) {
                    break;
                }
                if (line.substring(3).trim().equals(title)) {
                    out = new StringBuilder();
                }
                continue;
            }
            if (out != null) {
                out.append(line).append('\n');
            }
        }
        assertNotNull(out, "README.md has no section '## " + title + "'");
        return out.toString();
    }

    /** Non-blank, non-comment lines inside the fenced code blocks of {@code text}. */
    private static List<String> commandLines(String text) {
        List<String> commands = new ArrayList<>();
        boolean inFence = false;
        for (String line : text.split("\n")) {
            if (line.trim().startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            String t = line.trim();
            if (inFence && !t.isEmpty() && !t.startsWith("#")) {
                commands.add(t);
            }
        }
        return commands;
    }

    /** The one {@code ```java} block of {@code text}. */
    private static String javaBlock(String text) {
        int start = text.indexOf("```java\n");
        assertTrue(start >= 0, "no ```java block in the section:\n" + text);
        int from = start + "```java\n".length();
        int end = text.indexOf("\n```", from);
        assertTrue(end > from, "unterminated ```java block");
        assertEquals(-1, text.indexOf("```java\n", end), "the section must hold exactly one ```java block");
        return text.substring(from, end + 1);
    }

    /**
     * The test class path: {@code java.class.path}, plus surefire's {@code surefire.test.class.path}
     * when surefire starts the JVM from a manifest-only jar.
     */
    private static String testClassPath() {
        String cp = System.getProperty("java.class.path", "");
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire == null || surefire.isBlank() ? cp : cp + File.pathSeparator + surefire;
    }
}
