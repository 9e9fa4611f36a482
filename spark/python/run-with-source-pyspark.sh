#!/usr/bin/env bash
# Runs the PySpark wrapper's test (or any Python script) with PySpark taken from Apache Spark's source, where
# `pip install pyspark` is not possible:
#
#   spark/python/run-with-source-pyspark.sh SPARK_SRC PY4J_SRC [SCRIPT [ARGS...]]
#
# SPARK_SRC: a folder with Spark's python/pyspark and bin/ (a checkout of github.com/apache/spark, or those two
#            folders of it); its Python side must be close to Spark 4.0.1, the JVM side used here.
# PY4J_SRC:  a folder with py4j's py4j-python/src (a checkout of github.com/py4j/py4j, tag 0.10.9.9: the py4j
#            jar Spark 4.0.1 brings).
# SCRIPT:    default spark/python/test_ddpm4j_spark.py on the shipped models/fashion-mnist/model.onnx.
#
# It builds (mvn package -pl spark -am) when the application jar is missing or older than the sources, lays out a Spark home in
# spark/target/pyspark-home (jars/: links to Spark 4.0.1's jars from Maven, spark/target/spark-lib, and to the
# application jar, which holds the jars Spark shares with it; bin/: a link to
# SPARK_SRC/bin), and runs python3 with SPARK_SRC/python, PY4J_SRC/py4j-python/src and spark/python on PYTHONPATH.
# Nothing of SPARK_SRC or PY4J_SRC is copied into the repository.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
spark_src="$(cd "$1" && pwd)"
py4j_src="$(cd "$2" && pwd)"
shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for need in "$spark_src/python/pyspark/__init__.py" "$spark_src/bin/spark-submit" "$py4j_src/py4j-python/src/py4j/__init__.py"; do
  if [ ! -f "$need" ]; then
    echo "run-with-source-pyspark: expected $need, found none" >&2
    exit 2
  fi
done
target="$root/spark/target"
if [ ! -f "$target/ddpm4j-spark.jar" ] || [ ! -d "$target/spark-lib" ] \
    || [ -n "$(find "$root/runtime/src/main" "$root/fid/src/main" "$root/spark/src/main" "$root/spark/pom.xml" \
               -newer "$target/ddpm4j-spark.jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "run-with-source-pyspark: building (mvn -q -DskipTests package -pl spark -am)..." >&2
  (cd "$root" && mvn -B -q -DskipTests package -pl spark -am) >&2
fi
home="$target/pyspark-home"
rm -rf "$home"
mkdir -p "$home/jars"
ln -s "$target"/spark-lib/*.jar "$home/jars/"
# Spark's jars that the application needs too (commons-lang3, commons-io, ...) are in its jar, not in spark-lib
ln -s "$target/ddpm4j-spark.jar" "$home/jars/"
ln -s "$spark_src/bin" "$home/bin"
export SPARK_HOME="$home"
export SPARK_SCALA_VERSION=2.13
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-python3}"
export PYTHONPATH="$spark_src/python:$py4j_src/py4j-python/src:$root/spark/python${PYTHONPATH:+:$PYTHONPATH}"
cd "$root"
if [ $# -eq 0 ]; then
  set -- spark/python/test_ddpm4j_spark.py models/fashion-mnist/model.onnx
fi
exec "$PYSPARK_PYTHON" "$@"
