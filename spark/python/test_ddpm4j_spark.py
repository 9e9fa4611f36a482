"""Tests the PySpark wrapper where pyspark is importable, after mvn package:

    PYTHONPATH=spark/python python3 spark/python/test_ddpm4j_spark.py MODEL.onnx     (pip install pyspark==4.0.1)
    spark/python/run-with-source-pyspark.sh SPARK_SRC PY4J_SRC                      (PySpark from Spark's source)

Checks, against the Java transformer driven directly through py4j on the same seeds: every parameter the wrapper
declares exists on the Java side with the same default; images drawn through the wrapper (parameters set from
Python, some as Python ints where doubles are expected) have the Java transformer's bytes, so the wrapper passes
each setting on; a changed setting changes the pixels; and the image column written to Parquet reads back equal.
Prints "skipped" and exits 0 without pyspark.
"""
import os
import sys
import tempfile

try:
    from pyspark.sql import DataFrame, SparkSession
except ImportError:
    print("pyspark is not installed: skipped")
    sys.exit(0)

from ddpm4j_spark import DdpmSampleTransformer

model = sys.argv[1]
jar = os.environ.get("DDPM4J_SPARK_JAR", "spark/target/ddpm4j-spark.jar")
spark = (SparkSession.builder.master("local[2]").config("spark.jars", jar)
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
seeds = spark.range(0, 6, 1, 2).withColumnRenamed("id", "seed")


def java_images(**settings):
    """The Java transformer, set through its own setters, on the same DataFrame: (seed, data) sorted by seed."""
    t = spark._jvm.org.ddpm4j.spark.DdpmSampleTransformer()
    for name, value in settings.items():
        getattr(t, "set" + name[0].upper() + name[1:])(value)
    return wrapper_images(DataFrame(t.transform(seeds._jdf), spark))


def wrapper_images(df):
    return sorted((r.seed, bytes(r.image.data)) for r in df.select("seed", "image").collect())


# 1. the same parameters, with the same defaults (ddpm sample's), on both sides
wrapper = DdpmSampleTransformer(modelPath=model)
java = spark._jvm.org.ddpm4j.spark.DdpmSampleTransformer()
java_names = sorted(p.name() for p in java.params())
assert sorted(p.name for p in wrapper.params) == java_names, (sorted(p.name for p in wrapper.params), java_names)
for p in wrapper.params:
    if p.name == "modelPath":
        continue
    jp = java.getParam(p.name)
    assert java.hasDefault(jp), p.name
    want = java.getDefault(jp).get()
    got = wrapper._java_obj.getOrDefault(wrapper._java_obj.getParam(p.name))
    assert got == want, (p.name, got, want)

# 2. images drawn through the wrapper equal the Java transformer's with the same settings
settings = dict(modelPath=model, sampler="ddim", steps=5, eta=0.5, batchSize=3, threads=1)
images = DdpmSampleTransformer(**settings).transform(seeds)
assert images.columns == ["seed", "image"], images.columns
got = wrapper_images(images)
want = java_images(modelPath=model, sampler="ddim", steps=5, eta=0.5, batchSize=3, threads=1)
assert [s for s, _ in got] == list(range(6)), got
assert got == want, "the wrapper's pixels differ from the Java transformer's"
first = images.filter("seed = 0").select("image").first().image
assert first.origin.endswith("?seed=0"), first.origin
assert len(first.data) == first.height * first.width * first.nChannels, (len(first.data), first.height, first.width)

# 3. a setting passed from Python changes the pixels (it reaches the Java object)
other = wrapper_images(DdpmSampleTransformer(**dict(settings, steps=6)).transform(seeds))
assert other != got, "steps=6 drew the same pixels as steps=5"

# 4. Parquet through Spark's commit protocol, read back equal
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "images.parquet")
    images.write.parquet(path)
    back = wrapper_images(spark.read.parquet(path))
    assert back == got, "the Parquet copy differs"

print("ok: %d images of %d x %d x %d through the wrapper equal the Java transformer's (ddim, 5 steps, eta 0.5);"
      " %d parameters with the Java defaults; steps=6 differs; Parquet round trip equal"
      % (len(got), first.height, first.width, first.nChannels, len(java_names)))
del wrapper  # a JavaWrapper collected after spark.stop() complains at exit
spark.stop()
