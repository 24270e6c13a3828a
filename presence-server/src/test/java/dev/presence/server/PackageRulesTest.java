package dev.presence.server;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The direction of the server's packages (README, "Layout"), held so it cannot erode quietly:
 * <pre>
 * PresenceServer/Main → config, http, gateway
 *   http, gateway → chat (Accounts, Threads, Messages, Statuses) → store
 *   gateway → presence (the hub) → presence-core
 *   domain, protocol, web, metrics: small packages the others import
 * </pre>
 * Main code only; tests may reach anywhere.
 */
@AnalyzeClasses(packages = {"dev.presence.server", "dev.presence.core"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {

    private static final String SERVER = "dev.presence.server..";

    @ArchTest
    static final ArchRule noCyclesBetweenServerPackages = slices()
            .matching("dev.presence.server.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyTheWiringKnowsTheWiring = noClasses()
            .that().resideInAPackage(SERVER).and().resideOutsideOfPackage("dev.presence.server")
            .should().dependOnClassesThat().resideInAPackage("dev.presence.server")
            .because("PresenceServer and Main wire the packages together; a package that imported them would"
                    + " hide a cycle the slices above cannot see");

    @ArchTest
    static final ArchRule gatewayAndHttpNeverTouchAStore = noClasses()
            .that().resideInAnyPackage("dev.presence.server.gateway..", "dev.presence.server.http..")
            .should().dependOnClassesThat().resideInAPackage("dev.presence.server.store..")
            .because("the chat services own the store and translate its failures");

    @ArchTest
    static final ArchRule gatewayNeverImportsHttpOrChat = noClasses()
            .that().resideInAPackage("dev.presence.server.gateway..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.presence.server.http..", "dev.presence.server.chat..")
            .because("the gateway gets its upgrade requests and its Authenticator injected");

    @ArchTest
    static final ArchRule httpNeverImportsTheGateway = noClasses()
            .that().resideInAPackage("dev.presence.server.http..")
            .should().dependOnClassesThat().resideInAPackage("dev.presence.server.gateway..")
            .because("GET /ws is handed to an injected WebSocketUpgrade");

    @ArchTest
    static final ArchRule presenceNeverImportsChat = noClasses()
            .that().resideInAPackage("dev.presence.server.presence..")
            .should().dependOnClassesThat().resideInAPackage("dev.presence.server.chat..");

    @ArchTest
    static final ArchRule protocolImportsOnlyTheDomain = noClasses()
            .that().resideInAPackage("dev.presence.server.protocol..")
            .should().dependOnClassesThat(resideInAPackage(SERVER)
                    .and(not(resideInAnyPackage("dev.presence.server.protocol..", "dev.presence.server.domain.."))))
            .because("wire frames are encoded from domain records, whoever sends them");

    @ArchTest
    static final ArchRule domainIsALeaf = noClasses()
            .that().resideInAPackage("dev.presence.server.domain..")
            .should().dependOnClassesThat(resideInAPackage(SERVER)
                    .and(not(resideInAPackage("dev.presence.server.domain.."))));

    @ArchTest
    static final ArchRule coreImportsOnlyTheJdk = classes()
            .that().resideInAPackage("dev.presence.core..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.presence.core..");
}
