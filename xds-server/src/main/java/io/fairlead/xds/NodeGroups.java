package io.fairlead.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.fairlead.bootstrap.NodeMetadataKeys;
import io.fairlead.policies.Dependencies;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Maps a connecting node to its {@link ProxyContext}, the key of the snapshot it shares with every
 * node that needs the same resources. Fields that do not change a role's resources are normalised
 * away so that groups stay few.
 */
public final class NodeGroups implements NodeGroup<ProxyContext> {

  /** The context of a node plus what was wrong with its metadata (each fell back to a default). */
  public record Resolution(ProxyContext context, List<String> problems) {
    public Resolution {
      problems = List.copyOf(problems);
    }
  }

  @Override
  public ProxyContext hash(Node node) {
    return resolve(node).context();
  }

  public static Resolution resolve(Node node) {
    List<String> problems = new ArrayList<>();
    Struct metadata = node.getMetadata();
    ClientKind client = clientKind(node.getUserAgentName(), problems);
    ProxyRole role = role(metadata, client, problems);
    ProxyContext.Gateway gateway = ProxyContext.Gateway.DEFAULT;
    if (role == ProxyRole.GATEWAY) {
      gateway =
          new ProxyContext.Gateway(
              text(metadata, NodeMetadataKeys.GATEWAY, problems)
                  .orElse(ProxyContext.DEFAULT_GATEWAY_GROUP),
              gatewayPort(metadata, problems),
              trustedHops(metadata, problems),
              flag(metadata, NodeMetadataKeys.PROXY_PROTOCOL, problems),
              flag(metadata, NodeMetadataKeys.SESSION_COOKIE_WALL_CLOCK, problems));
    }
    Optional<String> zone =
        node.getLocality().getZone().isEmpty()
            ? text(metadata, NodeMetadataKeys.ZONE, problems)
            : Optional.of(node.getLocality().getZone());
    Optional<String> kubeNode = text(metadata, NodeMetadataKeys.NODE, problems);
    SortedSet<String> namespaces = new TreeSet<>();
    Optional<String> proxyNamespace = Optional.empty();
    if (role != ProxyRole.GATEWAY) {
      // With mutual TLS, XdsIdentity has already made this the certificate's namespace.
      proxyNamespace = text(metadata, NodeMetadataKeys.NAMESPACE, problems);
      text(metadata, NodeMetadataKeys.VISIBLE_NAMESPACES, problems)
          .ifPresent(
              list ->
                  Arrays.stream(list.split(","))
                      .map(String::trim)
                      .filter(n -> !n.isEmpty())
                      .forEach(namespaces::add));
    }
    Optional<Dependencies> dependencies = Optional.empty();
    boolean onDemand = false;
    if (role == ProxyRole.SIDECAR) {
      // Parsed entry by entry: a bad one is a diagnostic on the group (the translator's), the
      // rest apply, and a list of only bad entries admits nothing rather than everything.
      dependencies =
          text(metadata, NodeMetadataKeys.DEPENDENCIES, problems).map(Dependencies::parse);
      onDemand = flag(metadata, NodeMetadataKeys.ON_DEMAND, problems);
    } else {
      for (String key : List.of(NodeMetadataKeys.DEPENDENCIES, NodeMetadataKeys.ON_DEMAND)) {
        if (metadata.containsFields(key)) {
          problems.add(key + " applies to sidecars only; ignoring it");
        }
      }
    }
    return new Resolution(
        new ProxyContext(
            role,
            client,
            gateway,
            zone,
            kubeNode,
            namespaces,
            proxyNamespace,
            dependencies,
            onDemand),
        problems);
  }

  private static ClientKind clientKind(String userAgent, List<String> problems) {
    String agent = userAgent.trim();
    String lower = agent.toLowerCase(Locale.ROOT);
    if (lower.startsWith("grpc")) {
      if (lower.equals("grpc java")) {
        return ClientKind.GRPC_JAVA;
      }
      return lower.contains("node") ? ClientKind.GRPC_NODE : ClientKind.GRPC_OTHER;
    }
    if (!lower.equals("envoy")) {
      problems.add(
          "user_agent_name "
              + (agent.isEmpty() ? "is empty" : "\"" + agent + "\" is not known")
              + "; treating the node as envoy");
    }
    return ClientKind.ENVOY;
  }

  private static ProxyRole role(Struct metadata, ClientKind client, List<String> problems) {
    ProxyRole inferred = client.isGrpc() ? ProxyRole.PROXYLESS : ProxyRole.SIDECAR;
    Optional<String> declared = text(metadata, NodeMetadataKeys.ROLE, problems);
    if (declared.isEmpty()) {
      return inferred;
    }
    Optional<ProxyRole> parsed = ProxyRole.parse(declared.get());
    if (parsed.isEmpty()) {
      problems.add(
          NodeMetadataKeys.ROLE
              + " \""
              + declared.get()
              + "\" is not sidecar, gateway or proxyless; using "
              + inferred.label());
      return inferred;
    }
    if (client.isGrpc() && parsed.get() != ProxyRole.PROXYLESS) {
      // A gRPC library cannot run Envoy listeners; it would reject every one of them.
      problems.add(
          NodeMetadataKeys.ROLE
              + " \""
              + parsed.get().label()
              + "\" is not possible for a "
              + client.label()
              + " client; using proxyless");
      return ProxyRole.PROXYLESS;
    }
    return parsed.get();
  }

  private static int gatewayPort(Struct metadata, List<String> problems) {
    Value value = metadata.getFieldsOrDefault(NodeMetadataKeys.GATEWAY_PORT, null);
    if (value == null) {
      return ProxyContext.DEFAULT_GATEWAY_PORT;
    }
    Optional<Integer> port = integer(value, 1, 65535);
    if (port.isEmpty()) {
      problems.add(
          NodeMetadataKeys.GATEWAY_PORT
              + " "
              + describe(value)
              + " is not a port (1-65535); using "
              + ProxyContext.DEFAULT_GATEWAY_PORT);
    }
    return port.orElse(ProxyContext.DEFAULT_GATEWAY_PORT);
  }

  private static int trustedHops(Struct metadata, List<String> problems) {
    Value value = metadata.getFieldsOrDefault(NodeMetadataKeys.XFF_TRUSTED_HOPS, null);
    if (value == null) {
      return 0;
    }
    Optional<Integer> hops = integer(value, 0, MAX_TRUSTED_HOPS);
    if (hops.isEmpty()) {
      problems.add(
          NodeMetadataKeys.XFF_TRUSTED_HOPS
              + " "
              + describe(value)
              + " is not 0 to "
              + MAX_TRUSTED_HOPS
              + "; using 0");
      return 0;
    }
    return hops.get();
  }

  /** As {@code fairlead bootstrap} accepts it. */
  private static final int MAX_TRUSTED_HOPS =
      io.fairlead.bootstrap.BootstrapParams.MAX_XFF_TRUSTED_HOPS;

  private static boolean flag(Struct metadata, String key, List<String> problems) {
    Value value = metadata.getFieldsOrDefault(key, null);
    if (value == null) {
      return false;
    }
    if (value.getKindCase() == Value.KindCase.BOOL_VALUE) {
      return value.getBoolValue();
    }
    if (value.getKindCase() == Value.KindCase.STRING_VALUE
        && List.of("true", "false").contains(value.getStringValue().trim())) {
      return value.getStringValue().trim().equals("true");
    }
    problems.add(key + " " + describe(value) + " is not true or false; using false");
    return false;
  }

  /** A whole number in [min, max], given as a JSON number or a decimal string. */
  private static Optional<Integer> integer(Value value, int min, int max) {
    double number;
    if (value.getKindCase() == Value.KindCase.NUMBER_VALUE) {
      number = value.getNumberValue();
    } else if (value.getKindCase() == Value.KindCase.STRING_VALUE) {
      String text = value.getStringValue().trim();
      if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      number = Integer.parseInt(text);
    } else {
      return Optional.empty();
    }
    if (number != Math.rint(number) || number < min || number > max) {
      return Optional.empty();
    }
    return Optional.of((int) number);
  }

  /** A non-empty string value; anything else but an absent key is a problem. */
  private static Optional<String> text(Struct metadata, String key, List<String> problems) {
    Value value = metadata.getFieldsOrDefault(key, null);
    if (value == null) {
      return Optional.empty();
    }
    if (value.getKindCase() != Value.KindCase.STRING_VALUE) {
      problems.add(key + " " + describe(value) + " is not a string; ignoring it");
      return Optional.empty();
    }
    String text = value.getStringValue().trim();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  private static String describe(Value value) {
    return switch (value.getKindCase()) {
      case STRING_VALUE -> "\"" + value.getStringValue() + "\"";
      case NUMBER_VALUE -> String.valueOf(value.getNumberValue());
      case BOOL_VALUE -> String.valueOf(value.getBoolValue());
      case NULL_VALUE -> "null";
      case STRUCT_VALUE -> "(an object)";
      case LIST_VALUE -> "(a list)";
      default -> "(no value)";
    };
  }

  /** A short stable name of a group for logs, JSON and diagnostics. */
  public static String label(ProxyContext context) {
    StringBuilder label = new StringBuilder(context.role().label()).append('/');
    label.append(context.client().label());
    if (context.role() == ProxyRole.GATEWAY) {
      label.append('/').append(context.gatewayGroup()).append(':').append(context.gatewayPort());
      ProxyContext.Gateway g = context.gateway();
      if (g.xffTrustedHops() > 0) {
        label.append(",xff-hops=").append(g.xffTrustedHops());
      }
      if (g.proxyProtocol()) {
        label.append(",proxy-protocol");
      }
      if (g.sessionCookieWallClock()) {
        label.append(",cookie-wall-clock");
      }
    }
    context.zone().ifPresent(zone -> label.append(",zone=").append(zone));
    context.node().ifPresent(node -> label.append(",node=").append(node));
    if (!context.namespaces().isEmpty()) {
      label.append(",namespaces=").append(String.join("+", context.namespaces()));
    }
    context.proxyNamespace().ifPresent(ns -> label.append(",in=").append(ns));
    context
        .dependencies()
        .ifPresent(
            d -> {
              label.append(",dependencies=").append(d.describe());
              if (!d.rejected().isEmpty()) {
                label.append("+").append(d.rejected().size()).append("-rejected");
              }
            });
    if (context.onDemand()) {
      label.append(",on-demand");
    }
    return label.toString();
  }
}
