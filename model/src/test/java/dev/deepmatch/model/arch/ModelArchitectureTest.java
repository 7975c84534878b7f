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

    @ArchTest
    static final ArchRule modelDoesNotDependOnWhatUsesIt =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.model..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.deepmatch.job..",
                            "dev.deepmatch.tools..",
                            "dev.deepmatch.replay..",
                            "dev.deepmatch.sources..")
                    .because("arrows point down: the job, the tools and the replay use the model");

    @ArchTest
    static final ArchRule theMathIsApartFromTheOptimizerAndTheStream =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.model.math..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.deepmatch.model.optim..",
                            "dev.deepmatch.model.prequential..",
                            "dev.deepmatch.schema..")
                    .because("the kernels know arrays, not optimizers, streams or wire types");

    @ArchTest
    static final ArchRule nd4jStaysInOneClass =
            noClasses()
                    .that()
                    .doNotHaveFullyQualifiedName(
                            "dev.deepmatch.model.catalogue.Nd4jCatalogueMatrix")
                    .and()
                    .doNotHaveFullyQualifiedName(
                            "dev.deepmatch.model.catalogue.Nd4jCatalogueMatrix$Scratch")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.nd4j..")
                    .because(
                            "catalogue-products=java must run where nd4j's native library does"
                                    + " not load: only the nd4j kernel touches nd4j");
}
