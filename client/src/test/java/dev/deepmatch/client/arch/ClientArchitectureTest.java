package dev.deepmatch.client.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The client jar is what a JVM service adds to send plays or read vectors: the wire types and
 * Kafka's client, nothing of the job, the model, Flink, Lucene or the project's other modules (its
 * pom's enforcer rule keeps them off the classpath too).
 */
@AnalyzeClasses(
        packages = "dev.deepmatch.client",
        importOptions = ImportOption.DoNotIncludeTests.class)
class ClientArchitectureTest {

    @ArchTest
    static final ArchRule onlyTheWireTypesAndKafkasClient =
            classes()
                    .that()
                    .resideInAPackage("dev.deepmatch.client..")
                    .should()
                    .onlyDependOnClassesThat()
                    .resideInAnyPackage(
                            "java..",
                            "dev.deepmatch.client..",
                            "dev.deepmatch.schema..",
                            "org.apache.kafka.clients..",
                            "org.apache.kafka.common..")
                    .because("a service that talks to the topics needs nothing else");
}
