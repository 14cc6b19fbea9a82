package io.fairlead.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.overload.v3.OverloadManager;
import io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig;
import io.fairlead.translators.validate.XdsValidator;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every generated bootstrap satisfies the protoc-gen-validate rules of Envoy's descriptors. */
class BootstrapValidationTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  @TestFactory
  Stream<DynamicTest> everyGoldenBootstrapPassesValidateRules() {
    return GoldenCases.folders().stream()
        .filter(folder -> Files.exists(folder.resolve(GoldenBootstrapTest.BOOTSTRAP)))
        .map(
            folder ->
                DynamicTest.dynamicTest(
                    folder.getFileName().toString(),
                    () -> {
                      Bootstrap bootstrap =
                          BootstrapGenerator.generate(GoldenCases.readParams(folder).build());
                      assertThat(
                              validator.validateMessage(
                                  "bootstrap/" + folder.getFileName(), bootstrap))
                          .isEmpty();
                    }));
  }

  /** Proves the check above can fail, also inside an Any. */
  @Test
  void brokenBootstrapsAreReported() {
    Bootstrap valid =
        BootstrapGenerator.generate(
            GoldenCases.readParams(GoldenCases.root().resolve("sidecar-tls")).build());
    OverloadManager overload = valid.getOverloadManager();
    Bootstrap actionWithoutTrigger =
        valid.toBuilder()
            .setOverloadManager(
                overload.toBuilder()
                    .setActions(0, overload.getActions(0).toBuilder().clearTriggers()))
            .build();
    Bootstrap zeroHeapInAny =
        valid.toBuilder()
            .setOverloadManager(
                overload.toBuilder()
                    .setResourceMonitors(
                        1,
                        overload.getResourceMonitors(1).toBuilder()
                            .setTypedConfig(
                                Any.pack(
                                    FixedHeapConfig.newBuilder().setMaxHeapSizeBytes(0).build()))))
            .build();
    assertThat(validator.validateMessage("bootstrap/no-trigger", actionWithoutTrigger))
        .isNotEmpty();
    assertThat(validator.validateMessage("bootstrap/zero-heap", zeroHeapInAny)).isNotEmpty();
  }
}
