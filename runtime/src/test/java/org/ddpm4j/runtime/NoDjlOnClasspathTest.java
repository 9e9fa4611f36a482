package org.ddpm4j.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The runtime must never see DJL: the enforcer rule (runtime/pom.xml, bound to validate, so it runs in
 * every {@code mvn verify}) refuses the dependency; this test checks the resulting test classpath.
 */
class NoDjlOnClasspathTest {

    @Test
    void djlClassesAreAbsent() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.Model"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.ndarray.NDArray"));
    }
}
