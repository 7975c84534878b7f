package dev.deepmatch.job.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * flink-jobs is the job and nothing else: what a cluster runs. The tools around it (local runs,
 * producers, benches, the embedded broker), the file formats, the generator and the replay harness
 * depend on it, never the other way (the pom's enforcer rule keeps them off its classpath; this
 * keeps them out of its code).
 */
@AnalyzeClasses(
        packages = "dev.deepmatch.job",
        importOptions = ImportOption.DoNotIncludeTests.class)
class FlinkJobsArchitectureTest {

    @ArchTest
    static final ArchRule theJobDoesNotDependOnTheToolsAroundIt =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.job..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.deepmatch.tools..",
                            "dev.deepmatch.sources..",
                            "dev.deepmatch.replay..")
                    .because("the shaded job jar must hold the job and its runtime only");

    @ArchTest
    static final ArchRule theJobDoesNotRunABroker =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.job..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "kafka..", "org.apache.kafka.server..", "org.apache.kafka.raft..")
                    .because("the embedded broker is a tool of local runs and tests");
}
