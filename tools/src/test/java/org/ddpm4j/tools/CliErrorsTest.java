package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Error lines name the command as typed, nested subcommands included. */
class CliErrorsTest {

    @Test
    void nestedSubcommandErrorsNameTheWholeCommand() {
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "sample", "--no-such-option");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("ddpm bench sample: "), r.err());
        assertTrue(r.err().contains("Try 'ddpm bench sample --help' for usage."), r.err());
    }

    @Test
    void topLevelErrorsDoNotRepeatTheProgramName() {
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("--no-such-option");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("ddpm: Unknown option: '--no-such-option'"), r.err());
        assertTrue(r.err().contains("Try 'ddpm --help' for usage."), r.err());
    }
}
