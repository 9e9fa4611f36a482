/**
 * ddpm4j on Apache Spark: the sampling job ({@link org.ddpm4j.spark.SampleJob}) and the FID job
 * ({@link org.ddpm4j.spark.FidJob}) run the runtime and the FID library on executors, one ONNX Runtime
 * session per executor JVM ({@link org.ddpm4j.spark.ExecutorSessions}); {@link org.ddpm4j.spark.DdpmSpark}
 * is the command line of {@code ./ddpm-spark} and of {@code spark-submit}.
 */
package org.ddpm4j.spark;
