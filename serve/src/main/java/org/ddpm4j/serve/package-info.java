/**
 * {@code ddpm serve}: an HTTP sampling service over the runtime's {@code DiffusionPipeline}, on Micronaut's
 * HTTP server in a context of its own. {@link org.ddpm4j.serve.ImageServer} starts it;
 * {@link org.ddpm4j.serve.RequestParser} turns a JSON body into an {@link org.ddpm4j.serve.ImageRequest} (or
 * one clear 400); {@link org.ddpm4j.serve.DynamicBatcher} merges requests whose settings can share
 * denoiser calls into one batch (up to a batch size, waiting at most a delay), behind a bounded queue;
 * {@link org.ddpm4j.serve.ServeMetrics} renders Prometheus text. Every PNG carries the text chunks of
 * {@code ddpm sample}'s files, so {@code ddpm sample --like} draws it again.
 */
package org.ddpm4j.serve;
