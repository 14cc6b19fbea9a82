package io.fairlead.examples.grpcnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod weights with the real {@code @grpc/grpc-js-xds} client: grpc-js's ring-hash puts an endpoint
 * on the ring in proportion to {@code endpointWeight} (locality weight × the endpoint's {@code
 * load_balancing_weight}, {@code load-balancer-cds.js}), so Pods of weight 3 and 1 in one zone take
 * 3:1 of distinct hash keys.
 */
@ExtendWith(NodeClientAvailable.class)
class GrpcNodeWeightsTest {

  /** Distinct keys, one RPC each; their list is one command-line argument (under 128 KiB). */
  private static final int KEYS = 12_000;

  @Test
  void ringHashFollowsPodWeights(@TempDir Path tmp) throws Exception {
    DemoServices services =
        new DemoServices(
            List.of("127.0.0.11", "127.0.0.12", "127.0.0.13"), freePort(), Optional.of("zone-a"));
    String keys = IntStream.range(0, KEYS).mapToObj(i -> "u" + i).collect(Collectors.joining(","));
    NodeClientRun run =
        NodeClientRun.against(
            services,
            tmp,
            List.of(
                "--timeout-ms",
                "38000",
                "--target",
                services.target("weighted"),
                "--name",
                "weighted",
                "--header",
                DemoServices.HASH_HEADER,
                "--keys",
                keys,
                "--requests",
                "1"));
    JsonNode scenario = run.scenario("weighted");
    assertThat(scenario.path("failed").asInt())
        .as("failures: %s\nstderr:\n%s", scenario.path("errors"), run.stderr())
        .isZero();
    Map<String, Integer> perBackend = new TreeMap<>();
    scenario
        .path("backends")
        .properties()
        .forEach(e -> perBackend.put(e.getKey(), e.getValue().asInt()));
    System.out.println(
        "grpc-js ring-hash, Pod weights 3:1, " + KEYS + " distinct keys, ring 4096: " + perBackend);
    String heavy = services.backendAddresses().get(0);
    String light = services.backendAddresses().get(1);
    assertThat(perBackend).containsOnlyKeys(heavy, light);
    assertThat(perBackend.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(KEYS);
    // 3:1 within ±10%
    assertThat(perBackend.get(heavy) / (double) KEYS).as("weight 3").isBetween(0.675, 0.825);
    assertThat(perBackend.get(light) / (double) KEYS).as("weight 1").isBetween(0.225, 0.275);
    assertThat(run.connection().orElseThrow().nacks()).as("NACKs from grpc-js").isEmpty();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
