package io.fairlead.examples.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.fairlead.translators.validate.XdsValidator;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The static bootstraps EnvoyValidateGoldenTest hands to Envoy: complete (nothing left to fetch
 * over xDS) and valid by the protos' own rules. Runs without Envoy.
 */
class GoldenStaticBootstrapTest {

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  @TestFactory
  Stream<DynamicTest> everyGoldenTranslationBecomesASelfContainedBootstrap() throws Exception {
    List<Path> goldens = GoldenStaticBootstrap.translations();
    assertThat(goldens).hasSizeGreaterThan(30);
    return goldens.stream()
        .map(
            g ->
                DynamicTest.dynamicTest(
                    GoldenStaticBootstrap.GOLDEN.relativize(g).toString(),
                    () -> {
                      Bootstrap b = GoldenStaticBootstrap.convert(g);
                      String json = GoldenStaticBootstrap.PRINTER.print(b);
                      // no config source left: Envoy needs no management server to load it
                      assertThat(json)
                          .doesNotContain("\"ads\"")
                          .doesNotContain("edsClusterConfig")
                          .doesNotContain("\"rds\"");
                      assertThat(b.getStaticResources().getClustersList())
                          .extracting(Cluster::getType)
                          .doesNotContain(Cluster.DiscoveryType.EDS);
                      Set<String> names = new TreeSet<>();
                      b.getStaticResources().getClustersList().forEach(c -> names.add(c.getName()));
                      assertThat(names).hasSize(b.getStaticResources().getClustersCount());
                      assertThat(VALIDATOR.validateMessage(g.toString(), b)).isEmpty();
                    }));
  }
}
