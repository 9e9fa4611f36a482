/** Checkpoints: safetensors files plus a JSON description, written atomically, loaded with clear errors. */
package org.ddpm4j.trainer.checkpoint;
