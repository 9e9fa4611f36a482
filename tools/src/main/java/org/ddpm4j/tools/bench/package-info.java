/** {@code ddpm bench}: speed and memory measurements (train here; sample is added by the runtime). */
package org.ddpm4j.tools.bench;
