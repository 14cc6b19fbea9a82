package io.fairlead.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The written YAML and JSON parse back, through the same type registry, into the same proto. */
class BootstrapRoundTripTest {

  private static final JsonFormat.Parser PARSER =
      JsonFormat.parser().usingTypeRegistry(io.fairlead.translators.validate.EnvoyTypes.registry());

  @TestFactory
  Stream<DynamicTest> everyGoldenBootstrapRoundTrips() {
    return GoldenCases.folders().stream()
        .filter(folder -> Files.exists(folder.resolve(GoldenBootstrapTest.BOOTSTRAP)))
        .map(
            folder ->
                DynamicTest.dynamicTest(
                    folder.getFileName().toString(),
                    () -> {
                      Bootstrap generated =
                          BootstrapGenerator.generate(GoldenCases.readParams(folder).build());

                      assertThat(
                              fromYaml(
                                  BootstrapWriter.write(generated, BootstrapWriter.Format.YAML)))
                          .isEqualTo(generated);
                      assertThat(
                              fromJson(
                                  BootstrapWriter.write(generated, BootstrapWriter.Format.JSON)))
                          .isEqualTo(generated);
                    }));
  }

  private static Bootstrap fromYaml(String yaml) throws Exception {
    String json = new ObjectMapper().writeValueAsString(new YAMLMapper().readTree(yaml));
    return fromJson(json);
  }

  private static Bootstrap fromJson(String json) throws Exception {
    Bootstrap.Builder builder = Bootstrap.newBuilder();
    PARSER.merge(json, builder);
    return builder.build();
  }
}
