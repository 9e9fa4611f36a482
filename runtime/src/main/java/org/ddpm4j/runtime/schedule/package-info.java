/**
 * Variance schedules (linear, cosine, scaled linear, sigmoid) and every diffusion coefficient derived
 * from them, in double precision: the one definition that training and sampling share.
 */
package org.ddpm4j.runtime.schedule;
