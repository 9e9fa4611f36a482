/**
 * NCHW tensors in [-1, 1] to images: single images, grids, PNG files with text chunks, and the
 * animated GIF of the reverse process.
 */
package org.ddpm4j.runtime.image;
