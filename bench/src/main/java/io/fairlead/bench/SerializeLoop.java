package io.fairlead.bench;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.List;

/**
 * A micro-benchmark of what {@code WireResources} chose: serializing a delta response whose shared
 * {@code Resource}s hold their name, version and type URL as strings (encoded again for every
 * response) or as UTF-8 bytes (copied). {@code java -cp bench/target/fairlead-bench.jar
 * io.fairlead.bench.SerializeLoop [resources] [rounds]}: 1,000 ClusterLoadAssignments of 10
 * endpoints by default, each way alternated, milliseconds per response printed per round.
 */
public final class SerializeLoop {

  private SerializeLoop() {}

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<Resource> strings = new ArrayList<>();
    List<Resource> bytes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      LocalityLbEndpoints.Builder locality =
          LocalityLbEndpoints.newBuilder().setLoadBalancingWeight(UInt32Value.of(1));
      for (int e = 0; e < 10; e++) {
        locality.addLbEndpoints(
            LbEndpoint.newBuilder()
                .setEndpoint(
                    Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder()
                                        .setAddress("10.1." + (i % 250) + "." + e)
                                        .setPortValue(8080)))));
      }
      String name = "namespace-" + (i % 20) + "/service-" + i + ":8080";
      ClusterLoadAssignment cla =
          ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build();
      String version = String.format("%032x", (long) name.hashCode() * 31 + i);
      Any any = Any.pack(cla);
      strings.add(Resource.newBuilder().setName(name).setVersion(version).setResource(any).build());
      bytes.add(
          Resource.newBuilder()
              .setNameBytes(ByteString.copyFromUtf8(name))
              .setVersionBytes(ByteString.copyFromUtf8(version))
              .setResource(
                  Any.newBuilder()
                      .setTypeUrlBytes(ByteString.copyFromUtf8(any.getTypeUrl()))
                      .setValue(any.getValue()))
              .build());
    }
    System.out.printf("SerializeLoop: a delta response of %,d resources%n", size);
    for (int round = 0; round < rounds; round++) {
      System.out.printf(
          "round %2d: strings %.3f ms, bytes %.3f ms per response%n",
          round, perResponse(strings), perResponse(bytes));
    }
  }

  private static double perResponse(List<Resource> resources) throws Exception {
    int n = 200;
    long t0 = System.nanoTime();
    for (int k = 0; k < n; k++) {
      DeltaDiscoveryResponse r =
          DeltaDiscoveryResponse.newBuilder()
              .setTypeUrl("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment")
              .setNonce(Integer.toString(k))
              .addAllResources(resources)
              .build();
      r.writeTo(java.io.OutputStream.nullOutputStream());
    }
    return (System.nanoTime() - t0) / 1e6 / n;
  }
}
