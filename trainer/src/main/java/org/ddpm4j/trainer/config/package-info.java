/** What a training run computes: its configuration and loss choices, stored in every checkpoint. */
package org.ddpm4j.trainer.config;
