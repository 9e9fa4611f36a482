"""PySpark wrapper of ddpm4j's DataFrame API (org.ddpm4j.spark.DdpmSampleTransformer).

Put spark/target/ddpm4j-spark.jar on the Spark class path (spark-submit --jars, or
spark.jars), and this file on the Python path:

    from ddpm4j_spark import DdpmSampleTransformer
    seeds = spark.range(0, 1000).withColumnRenamed("id", "seed")
    images = DdpmSampleTransformer(modelPath="hdfs:///models/model.onnx", sampler="ddim", steps=50).transform(seeds)
    images.write.parquet("hdfs:///samples.parquet")

The parameters, their defaults and the pixels are the Java transformer's: ddpm sample's.
"""

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.wrapper import JavaTransformer

__all__ = ["DdpmSampleTransformer"]

_JAVA_CLASS = "org.ddpm4j.spark.DdpmSampleTransformer"


def _param(name, doc, converter):
    return Param(Params._dummy(), name, doc, typeConverter=converter)


class DdpmSampleTransformer(JavaTransformer):
    """Adds an image column (Spark's image schema) to a DataFrame with a seed column."""

    modelPath = _param("modelPath", "the ONNX model: a local path or a Hadoop URI", TypeConverters.toString)
    seedCol = _param("seedCol", "the seed column (long or int)", TypeConverters.toString)
    classCol = _param("classCol", "the class label column, empty for none", TypeConverters.toString)
    guidanceCol = _param("guidanceCol", "the guidance column (double), empty for none", TypeConverters.toString)
    outputCol = _param("outputCol", "the image column added", TypeConverters.toString)
    sampler = _param("sampler", "ddpm, ddim, dpmpp or dpmpp-sde", TypeConverters.toString)
    steps = _param("steps", "denoiser calls per image, 0 for the sampler's default", TypeConverters.toInt)
    eta = _param("eta", "DDIM stochasticity", TypeConverters.toFloat)
    variance = _param("variance", "fixed_small or fixed_large", TypeConverters.toString)
    spacing = _param("spacing", "timestep spacing, empty for the sampler's", TypeConverters.toString)
    clip = _param("clip", "true, false, or empty for the model's setting", TypeConverters.toString)
    guidance = _param("guidance", "classifier-free guidance scale", TypeConverters.toFloat)
    batchSize = _param("batchSize", "rows per denoiser call", TypeConverters.toInt)
    device = _param("device", "cpu, cuda[:id] or auto", TypeConverters.toString)
    threads = _param("threads", "intra-op threads per task, 0 for the task's CPUs", TypeConverters.toInt)

    @keyword_only
    def __init__(self, *, modelPath=None, seedCol=None, classCol=None, guidanceCol=None, outputCol=None,
                 sampler=None, steps=None, eta=None, variance=None, spacing=None, clip=None, guidance=None,
                 batchSize=None, device=None, threads=None):
        super().__init__()
        # the Java object holds the defaults (ddpm sample's); Python sends only what is set
        self._java_obj = self._new_java_obj(_JAVA_CLASS, self.uid)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, modelPath=None, seedCol=None, classCol=None, guidanceCol=None, outputCol=None,
                  sampler=None, steps=None, eta=None, variance=None, spacing=None, clip=None, guidance=None,
                  batchSize=None, device=None, threads=None):
        """Sets the parameters given (None leaves a parameter at its default)."""
        kwargs = {k: v for k, v in self._input_kwargs.items() if v is not None}
        return self._set(**kwargs)
