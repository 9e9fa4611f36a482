package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's answers to bad input: one line naming what was expected and found, exit code 2. */
class DdpmSparkTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DdpmSpark.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void badCountIsOneLineBeforeSparkStarts() {
        Run r = run("sample", "--master", "local[1]", "-n", "0", "--model", "m.onnx");
        assertEquals(2, r.code());
        assertEquals(List.of("ddpm-spark sample: -n must be at least 1, found 0"), r.err().lines().toList());
    }

    @Test
    void noMasterOutsideSparkSubmitIsOneLine() {
        Run r = run("fid", "--extractor", "e.onnx", "a/", "b/");
        assertEquals(2, r.code());
        assertEquals(List.of("ddpm-spark fid: no Spark master: pass --master local[N] (or spark://HOST:PORT, yarn, ...), "
                + "or run through spark-submit"), r.err().lines().toList());
    }

    @Test
    void unknownSamplerOptionValueIsOneLine() {
        Run r = run("sample", "--master", "local[1]", "--variance", "wide");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
