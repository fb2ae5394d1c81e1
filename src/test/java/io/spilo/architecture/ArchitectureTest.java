package io.spilo.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** DESIGN §2: the HA rules stay pure, and dependencies point one way. */
@AnalyzeClasses(packages = "io.spilo", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule haUsesNoIo = noClasses().that().resideInAPackage("io.spilo.ha..")
            .should().dependOnClassesThat().resideInAnyPackage("io.etcd..", "java.sql..", "org.postgresql..",
                    "com.sun.net.httpserver..", "java.net.http..", "io.spilo.dcs.etcd..", "io.spilo.api..",
                    "io.spilo.cli..", "io.spilo.process..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.spilo.postgres.PostgresInstance")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("io.spilo.fence.ProcessFence");

    @ArchTest
    static final ArchRule configDependsOnNothingOfSpilo = noClasses().that().resideInAPackage("io.spilo.config..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.dcs..", "io.spilo.ha..", "io.spilo.postgres..",
                    "io.spilo.api..", "io.spilo.cli..", "io.spilo.process..");

    /** TLS material (files, contexts, the demo's CA) is read from settings only; every link's owner uses it, not the other way. */
    @ArchTest
    static final ArchRule tlsDependsOnlyOnConfig = noClasses().that().resideInAPackage("io.spilo.tls..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.dcs..", "io.spilo.ha..", "io.spilo.postgres..",
                    "io.spilo.api..", "io.spilo.cli..", "io.spilo.process..", "io.spilo.proxy..", "io.spilo.fence..");

    @ArchTest
    static final ArchRule processDependsOnNothingOfSpilo = noClasses().that().resideInAPackage("io.spilo.process..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.config..", "io.spilo.dcs..", "io.spilo.ha..",
                    "io.spilo.postgres..", "io.spilo.api..", "io.spilo.cli..");

    @ArchTest
    static final ArchRule dcsKnowsNoPostgresOrHa = noClasses().that().resideInAPackage("io.spilo.dcs..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.ha..", "io.spilo.postgres..", "io.spilo.api..",
                    "io.spilo.cli..");

    @ArchTest
    static final ArchRule apiDoesNotControlPostgres = noClasses().that().resideInAPackage("io.spilo.api..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.spilo.postgres.PostgresInstance")
            .orShould().dependOnClassesThat().resideInAnyPackage("io.spilo.dcs.etcd..");

    /** DESIGN §9: outcomes of {@code ha} are sealed records; {@code api} maps them to HTTP and JSON. */
    @ArchTest
    static final ArchRule haKnowsNoJson = noClasses().that().resideInAPackage("io.spilo.ha..")
            .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml..");

    @ArchTest
    static final ArchRule proxyUsesOnlyTheStoreInterfaceAndProcesses = noClasses().that().resideInAPackage("io.spilo.proxy..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.ha..", "io.spilo.postgres..", "io.spilo.api..",
                    "io.spilo.cli..", "io.spilo.demo..", "io.spilo.dcs.etcd..", "io.etcd..");

    /** The demo runs the product as a user would: through its processes, never its insides. */
    @ArchTest
    static final ArchRule demoDrivesTheProductThroughProcesses = noClasses().that().resideInAPackage("io.spilo.demo..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.ha..", "io.spilo.postgres..", "io.spilo.api..",
                    "io.spilo.dcs..", "io.spilo.proxy..", "io.etcd..");

    @ArchTest
    static final ArchRule nothingBelowTheCliDependsOnIt = noClasses().that().resideOutsideOfPackage("io.spilo.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("io.spilo.cli..");
}
