"""Runs where pyspark is installed (pip install pyspark==4.0.1), after mvn package:

    PYTHONPATH=spark/python python3 spark/python/test_ddpm4j_spark.py MODEL.onnx

Draws 4 images through the wrapper and checks the schema and the count; skips without pyspark.
"""
import sys

try:
    from pyspark.sql import SparkSession
except ImportError:
    print("pyspark is not installed: skipped")
    sys.exit(0)

from ddpm4j_spark import DdpmSampleTransformer

model = sys.argv[1]
spark = (SparkSession.builder.master("local[2]")
         .config("spark.jars", "spark/target/ddpm4j-spark.jar").getOrCreate())
seeds = spark.range(0, 4, 1, 1).withColumnRenamed("id", "seed")
images = DdpmSampleTransformer(modelPath=model, sampler="ddim", steps=5, batchSize=4).transform(seeds)
assert images.columns == ["seed", "image"], images.columns
rows = images.collect()
assert len(rows) == 4
assert rows[0].image.origin.endswith("?seed=0"), rows[0].image.origin
print("ok:", len(rows), "images of", rows[0].image.height, "x", rows[0].image.width)
spark.stop()
