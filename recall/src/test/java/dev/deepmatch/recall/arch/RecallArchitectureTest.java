package dev.deepmatch.recall.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The recall service serves a dot product of vectors it reads from Kafka: it needs the wire schemas
 * and a Kafka client, never the job, the model or Flink (a recall service of another language could
 * do the same from the schemas alone), and Lucene stays inside the index package.
 */
@AnalyzeClasses(
        packages = "dev.deepmatch.recall",
        importOptions = ImportOption.DoNotIncludeTests.class)
class RecallArchitectureTest {

    @ArchTest
    static final ArchRule theServiceKnowsNeitherTheJobNorTheModel =
            noClasses()
                    .that()
                    .resideInAPackage("dev.deepmatch.recall..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "org.apache.flink..",
                            "dev.deepmatch.job..",
                            "dev.deepmatch.model..",
                            "dev.deepmatch.tools..")
                    .because("what is served must be computable from the topics alone");

    @ArchTest
    static final ArchRule luceneStaysInTheIndex =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("dev.deepmatch.recall.index..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.lucene..")
                    .because("the index is the one place that knows how vectors are searched");
}
