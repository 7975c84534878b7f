# syntax=docker/dockerfile:1
#
# Two images from one build (docs/DEPLOY.md):
#   docker build --target learner  -t deepmatch-learner:0.1.0 .    the job on Flink 2.2.1
#   docker build --target producer -t deepmatch-producer:0.1.0 .   the device-like producer

# ---- build: the shaded job jar and the producer's classpath ---------------------------------
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -Dspotless.check.skip=true -Dmdep.analyze.skip=true \
        -pl flink-jobs,tools -am install \
    && mvn -B -q -pl tools dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=/out/producer/lib \
    && cp tools/target/tools-*.jar /out/producer/lib/ \
    && cp flink-jobs/target/flink-jobs-*-learner.jar /out/deepmatch-learner.jar

# ---- learner: Flink 2.2.1 on Java 17 (uid 9999; RocksDB and the Prometheus reporter plugin
# ship with the image); the job in usrlib for application mode ------------------------------
FROM flink:2.2.1-java17 AS learner
COPY --from=build --chown=9999:9999 /out/deepmatch-learner.jar /opt/flink/usrlib/deepmatch-learner.jar
# Mount points owned by flink, so that fresh named volumes and fsGroup volumes are writable.
RUN mkdir -p /opt/flink/checkpoints /opt/flink/savepoints /rocksdb \
    && chown 9999:9999 /opt/flink/checkpoints /opt/flink/savepoints /rocksdb

# ---- producer: bin/learner produce without Maven --------------------------------------------
FROM eclipse-temurin:17.0.16_8-jre AS producer
COPY --from=build /out/producer/lib /opt/deepmatch/lib
USER 10001
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-cp", "/opt/deepmatch/lib/*", "dev.deepmatch.tools.produce.ProduceMain"]
