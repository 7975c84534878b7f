package dev.deepmatch.model.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The model is plain math: it must run and be tested without a Flink cluster or a broker. */
@AnalyzeClasses(
        packages = "dev.deepmatch.model",
        importOptions = ImportOption.DoNotIncludeTests.class)
class ModelArchitectureTest {

    @ArchTest
    static final ArchRule modelDoesNotDependOnFlink =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.model..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.flink..")
                    .because("the model must stay usable outside Flink (replay, bench, tests)");

    @ArchTest
    static final ArchRule modelDoesNotDependOnKafka =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.model..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.kafka..")
                    .because("the model must stay usable outside Kafka (replay, bench, tests)");
}
