package io.fairlead.examples.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.fairlead.translators.validate.EnvoyTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns one golden translation (translators/src/test/resources/golden/CASE/sidecar.yaml or
 * gateway*.yaml: the resources a proxy gets over ADS) into a static Envoy bootstrap that Envoy can
 * load without a control plane: EDS clusters get their endpoints inline, and each HTTP connection
 * manager gets its RDS route configuration inline. An on-demand sidecar's cluster discovery (the
 * {@code envoy.filters.http.on_demand} filter, {@code tcp_proxy.on_demand}) is taken out: it names
 * ADS, which a static bootstrap has not, and every cluster is already there. Its config is checked
 * by XdsValidator (golden sidecar-on-demand) and by a real Envoy in EnvoyOnDemandSidecarTest.
 * Nothing else changes.
 */
final class GoldenStaticBootstrap {

  /** Golden files live in the translators module, next to this one. */
  static final Path GOLDEN = Path.of("../translators/src/test/resources/golden");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonFormat.Parser PARSER =
      JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registry());
  static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry());

  private static final String ON_DEMAND_FILTER = "envoy.filters.http.on_demand";

  private GoldenStaticBootstrap() {}

  /** Every golden proxy translation: sidecar.yaml and gateway*.yaml of every case, sorted. */
  static List<Path> translations() throws IOException {
    List<Path> out = new ArrayList<>();
    try (var cases = Files.list(GOLDEN)) {
      for (Path dir : cases.sorted().toList()) {
        try (var files = Files.list(dir)) {
          files
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.equals("sidecar.yaml")
                        || (name.startsWith("gateway") && name.endsWith(".yaml"));
                  })
              .sorted()
              .forEach(out::add);
        }
      }
    }
    return out;
  }

  static Bootstrap convert(Path golden) throws IOException {
    JsonNode doc = YAML.readTree(golden.toFile());
    List<Cluster> clusters = parse(doc, "clusters", Cluster::newBuilder, Cluster.class);
    Map<String, ClusterLoadAssignment> endpoints = new TreeMap<>();
    parse(doc, "endpoints", ClusterLoadAssignment::newBuilder, ClusterLoadAssignment.class)
        .forEach(e -> endpoints.put(e.getClusterName(), e));
    Map<String, RouteConfiguration> routes = new TreeMap<>();
    parse(doc, "routes", RouteConfiguration::newBuilder, RouteConfiguration.class)
        .forEach(r -> routes.put(r.getName(), r));
    List<Listener> listeners = parse(doc, "listeners", Listener::newBuilder, Listener.class);

    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Cluster c : clusters) {
      statics.addClusters(
          c.getType() == Cluster.DiscoveryType.EDS ? inlineEndpoints(c, endpoints) : c);
    }
    for (Listener l : listeners) {
      statics.addListeners(inlineRoutes(l, routes));
    }
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId("golden-validate").setCluster("golden-validate"))
        .setStaticResources(statics)
        .build();
  }

  private static Cluster inlineEndpoints(Cluster c, Map<String, ClusterLoadAssignment> endpoints) {
    String name =
        c.getEdsClusterConfig().getServiceName().isEmpty()
            ? c.getName()
            : c.getEdsClusterConfig().getServiceName();
    ClusterLoadAssignment cla =
        endpoints.getOrDefault(
            name, ClusterLoadAssignment.newBuilder().setClusterName(name).build());
    return c.toBuilder()
        .clearEdsClusterConfig()
        .setType(Cluster.DiscoveryType.STATIC)
        .setLoadAssignment(cla.toBuilder().setClusterName(c.getName()))
        .build();
  }

  private static Listener inlineRoutes(Listener l, Map<String, RouteConfiguration> routes)
      throws InvalidProtocolBufferException {
    Listener.Builder b = l.toBuilder();
    for (FilterChain.Builder chain : b.getFilterChainsBuilderList()) {
      for (Filter.Builder filter : chain.getFiltersBuilderList()) {
        Any config = filter.getTypedConfig();
        if (config.is(TcpProxy.class)) {
          filter.setTypedConfig(
              Any.pack(config.unpack(TcpProxy.class).toBuilder().clearOnDemand().build()));
          continue;
        }
        if (!config.is(HttpConnectionManager.class)) {
          continue;
        }
        HttpConnectionManager hcm = config.unpack(HttpConnectionManager.class);
        hcm =
            hcm.toBuilder()
                .clearHttpFilters()
                .addAllHttpFilters(
                    hcm.getHttpFiltersList().stream()
                        .filter(f -> !f.getName().equals(ON_DEMAND_FILTER))
                        .toList())
                .build();
        if (hcm.hasRds()) {
          String name = hcm.getRds().getRouteConfigName();
          RouteConfiguration route = routes.get(name);
          if (route == null) {
            throw new IllegalArgumentException(
                "listener " + l.getName() + " names route " + name + ", which is not in the file");
          }
          filter.setTypedConfig(Any.pack(hcm.toBuilder().clearRds().setRouteConfig(route).build()));
        } else {
          filter.setTypedConfig(Any.pack(hcm));
        }
      }
    }
    return b.build();
  }

  private static <T extends Message> List<T> parse(
      JsonNode doc, String field, Supplier<? extends Message.Builder> builder, Class<T> type)
      throws InvalidProtocolBufferException {
    List<T> out = new ArrayList<>();
    JsonNode list = doc.get(field);
    if (list == null) {
      return out;
    }
    for (JsonNode item : list) {
      Message.Builder b = builder.get();
      PARSER.merge(item.toString(), b);
      out.add(type.cast(b.build()));
    }
    return out;
  }
}
