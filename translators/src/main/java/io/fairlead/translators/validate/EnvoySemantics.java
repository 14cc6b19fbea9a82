package io.fairlead.translators.validate;

import static io.fairlead.translators.validate.PgvRules.join;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UInt64Value;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.direct_response.v3.Config;
import io.envoyproxy.envoy.extensions.filters.network.echo.v3.Echo;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.redis_proxy.v3.RedisProxy;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.network.thrift_proxy.v3.ThriftProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.cluster_provided.v3.ClusterProvided;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks Envoy makes when it loads a config, beyond the PGV rules. Each check is keyed by message
 * type and runs wherever the walk meets that type: a Maglev config inside a cluster's
 * load-balancing policy, an HTTP connection manager inside a listener filter or an API listener, a
 * route configuration inline in a connection manager or served over RDS.
 */
final class EnvoySemantics implements PgvRules.MessageCheck {

  static final String ROUTER_FILTER = "envoy.filters.http.router";
  // Envoy's defaults when the ring size fields are unset.
  static final long DEFAULT_MIN_RING_SIZE = 1024;
  static final long DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;
  // Above this PGV already rejects table_size, and trial division would be slow.
  private static final long MAX_MAGLEV_TABLE_SIZE = 5_000_011;

  private static final Set<String> TERMINAL_NETWORK_FILTERS =
      Set.of(
          HttpConnectionManager.getDescriptor().getFullName(),
          TcpProxy.getDescriptor().getFullName(),
          Config.getDescriptor().getFullName(),
          Echo.getDescriptor().getFullName(),
          RedisProxy.getDescriptor().getFullName(),
          ThriftProxy.getDescriptor().getFullName());

  @Override
  public void check(Message m, String path, PgvRules.Report report) {
    String type = m.getDescriptorForType().getFullName();
    if (type.equals(Cluster.getDescriptor().getFullName())) {
      cluster(as(m, Cluster.getDefaultInstance()), path, report);
    } else if (type.equals(Maglev.getDescriptor().getFullName())) {
      Maglev maglev = as(m, Maglev.getDefaultInstance());
      maglevTableSize(maglev.hasTableSize(), maglev.getTableSize(), path, report);
    } else if (type.equals(Cluster.MaglevLbConfig.getDescriptor().getFullName())) {
      Cluster.MaglevLbConfig maglev = as(m, Cluster.MaglevLbConfig.getDefaultInstance());
      maglevTableSize(maglev.hasTableSize(), maglev.getTableSize(), path, report);
    } else if (type.equals(RingHash.getDescriptor().getFullName())) {
      RingHash ring = as(m, RingHash.getDefaultInstance());
      ringSizes(
          ring.hasMinimumRingSize(),
          ring.getMinimumRingSize(),
          ring.hasMaximumRingSize(),
          ring.getMaximumRingSize(),
          path,
          report);
    } else if (type.equals(Cluster.RingHashLbConfig.getDescriptor().getFullName())) {
      Cluster.RingHashLbConfig ring = as(m, Cluster.RingHashLbConfig.getDefaultInstance());
      ringSizes(
          ring.hasMinimumRingSize(),
          ring.getMinimumRingSize(),
          ring.hasMaximumRingSize(),
          ring.getMaximumRingSize(),
          path,
          report);
    } else if (type.equals(ClusterLoadAssignment.getDescriptor().getFullName()) && path.isEmpty()) {
      // A top-level assignment is an EDS resource; nested ones belong to a cluster, which
      // decides whether hostnames are allowed.
      endpointsAreIps(as(m, ClusterLoadAssignment.getDefaultInstance()), "", "EDS", report);
    } else if (type.equals(Listener.getDescriptor().getFullName())) {
      listener(as(m, Listener.getDefaultInstance()), path, report);
    } else if (type.equals(FilterChain.getDescriptor().getFullName())) {
      networkFilters(as(m, FilterChain.getDefaultInstance()).getFiltersList(), path, report);
    } else if (type.equals(HttpConnectionManager.getDescriptor().getFullName())) {
      httpFilters(as(m, HttpConnectionManager.getDefaultInstance()), path, report);
    } else if (type.equals(RouteConfiguration.getDescriptor().getFullName())) {
      virtualHosts(as(m, RouteConfiguration.getDefaultInstance()), path, report);
    } else if (type.equals(RouteAction.getDescriptor().getFullName())) {
      RouteAction action = as(m, RouteAction.getDefaultInstance());
      if (!action.getPrefixRewrite().isEmpty() && action.hasRegexRewrite()) {
        report.add(path, "cannot specify both prefix_rewrite and regex_rewrite");
      }
    } else if (type.equals(WeightedCluster.getDescriptor().getFullName())) {
      weights(as(m, WeightedCluster.getDefaultInstance()), path, report);
    } else if (type.equals(RegexMatcher.getDescriptor().getFullName())) {
      String regex = as(m, RegexMatcher.getDefaultInstance()).getRegex();
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        report.add(join(path, "regex"), "is not a valid RE2 regex: " + e.getDescription());
      }
    }
  }

  // ---- clusters ----

  private static void cluster(Cluster c, String path, PgvRules.Report report) {
    LbPolicy lb = c.getLbPolicy();
    if (c.hasLoadBalancingPolicy()) {
      if (lb != LbPolicy.ROUND_ROBIN && lb != LbPolicy.LOAD_BALANCING_POLICY_CONFIG) {
        report.add(
            join(path, "lb_policy"),
            "lb_policy " + lb + " must not be set together with load_balancing_policy");
      }
      if (c.getLoadBalancingPolicy().getPoliciesCount() == 0) {
        report.add(join(path, "load_balancing_policy.policies"), "must name at least one policy");
      }
    } else if (lb == LbPolicy.LOAD_BALANCING_POLICY_CONFIG) {
      report.add(
          join(path, "lb_policy"), "LOAD_BALANCING_POLICY_CONFIG needs load_balancing_policy");
    }
    for (int i = 0; i < c.getHealthChecksCount(); i++) {
      if (c.getHealthChecks(i).hasGrpcHealthCheck() && !speaksHttp2(c)) {
        report.add(
            join(path, "health_checks[" + i + "].grpc_health_check"),
            "gRPC health checks need an HTTP/2 cluster (http2_protocol_options)");
      }
    }
    if (c.hasClusterType()) {
      return; // a custom cluster: its extension decides the rest
    }
    DiscoveryType type = c.getType();
    boolean clusterProvided =
        c.hasLoadBalancingPolicy()
            ? onlyClusterProvided(c.getLoadBalancingPolicy())
            : lb == LbPolicy.CLUSTER_PROVIDED;
    if (type == DiscoveryType.ORIGINAL_DST && !clusterProvided) {
      report.add(
          join(path, "lb_policy"),
          "ORIGINAL_DST clusters need lb_policy CLUSTER_PROVIDED, not " + lb);
    } else if (type != DiscoveryType.ORIGINAL_DST && lb == LbPolicy.CLUSTER_PROVIDED) {
      report.add(
          join(path, "lb_policy"), "CLUSTER_PROVIDED is only valid for ORIGINAL_DST clusters");
    }
    switch (type) {
      case EDS -> {
        if (!c.hasEdsClusterConfig()) {
          report.add(join(path, "eds_cluster_config"), "EDS clusters need eds_cluster_config");
        } else if (!c.getEdsClusterConfig().hasEdsConfig()) {
          report.add(
              join(path, "eds_cluster_config.eds_config"),
              "EDS clusters need an eds_config (e.g. ads: {})");
        }
      }
      case STATIC, STRICT_DNS, LOGICAL_DNS -> {
        if (!c.hasLoadAssignment()) {
          report.add(
              join(path, "load_assignment"),
              type + " clusters need load_assignment: without it they have no endpoints");
        } else if (type == DiscoveryType.STATIC) {
          endpointsAreIps(c.getLoadAssignment(), join(path, "load_assignment"), "STATIC", report);
        } else if (type == DiscoveryType.LOGICAL_DNS) {
          List<LocalityLbEndpoints> localities = c.getLoadAssignment().getEndpointsList();
          if (localities.size() != 1 || localities.get(0).getLbEndpointsCount() != 1) {
            report.add(
                join(path, "load_assignment.endpoints"),
                "LOGICAL_DNS clusters need exactly one locality with exactly one endpoint");
          }
        }
      }
      default -> {}
    }
  }

  private static boolean speaksHttp2(Cluster c) {
    if (c.hasHttp2ProtocolOptions()) {
      return true;
    }
    Any options =
        c.getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    if (options == null) {
      return false;
    }
    try {
      HttpProtocolOptions http = options.unpack(HttpProtocolOptions.class);
      return http.getExplicitHttpConfig().hasHttp2ProtocolOptions()
          || (http.hasAutoConfig() && http.getAutoConfig().hasHttp2ProtocolOptions());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static boolean onlyClusterProvided(LoadBalancingPolicy policy) {
    return policy.getPoliciesCount() > 0
        && policy.getPoliciesList().stream()
            .allMatch(
                p ->
                    is(
                        p.getTypedExtensionConfig().getTypedConfig(),
                        ClusterProvided.getDefaultInstance()));
  }

  private static void maglevTableSize(
      boolean set, UInt64Value size, String path, PgvRules.Report report) {
    long n = size.getValue();
    if (set && Long.compareUnsigned(n, MAX_MAGLEV_TABLE_SIZE) <= 0 && !isPrime(n)) {
      report.add(join(path, "table_size"), "Maglev table_size " + n + " must be a prime number");
    }
  }

  static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  private static void ringSizes(
      boolean hasMin,
      UInt64Value min,
      boolean hasMax,
      UInt64Value max,
      String path,
      PgvRules.Report report) {
    long lo = hasMin ? min.getValue() : DEFAULT_MIN_RING_SIZE;
    long hi = hasMax ? max.getValue() : DEFAULT_MAX_RING_SIZE;
    if (Long.compareUnsigned(lo, hi) > 0) {
      report.add(
          join(path, hasMin ? "minimum_ring_size" : "maximum_ring_size"),
          "minimum_ring_size "
              + Long.toUnsignedString(lo)
              + (hasMin ? "" : " (default)")
              + " must not exceed maximum_ring_size "
              + Long.toUnsignedString(hi)
              + (hasMax ? "" : " (default)"));
    }
  }

  /** EDS and STATIC endpoints are not resolved: Envoy wants IP literals there. */
  private static void endpointsAreIps(
      ClusterLoadAssignment cla, String path, String why, PgvRules.Report report) {
    for (int i = 0; i < cla.getEndpointsCount(); i++) {
      List<LbEndpoint> endpoints = cla.getEndpoints(i).getLbEndpointsList();
      for (int j = 0; j < endpoints.size(); j++) {
        LbEndpoint e = endpoints.get(j);
        if (e.hasEndpoint() && e.getEndpoint().hasAddress()) {
          String at = join(path, "endpoints[" + i + "].lb_endpoints[" + j + "].endpoint.address");
          addressIsIp(e.getEndpoint().getAddress(), at, why + " endpoint", report);
        }
      }
    }
  }

  private static void addressIsIp(Address a, String path, String what, PgvRules.Report report) {
    if (a.hasSocketAddress()
        && a.getSocketAddress().getResolverName().isEmpty()
        && !WellKnownStrings.isIp(a.getSocketAddress().getAddress())) {
      report.add(
          join(path, "socket_address.address"),
          what + " address '" + a.getSocketAddress().getAddress() + "' must be an IP address");
    }
  }

  // ---- listeners ----

  private static void listener(Listener l, String path, PgvRules.Report report) {
    if (l.hasApiListener()) {
      return; // an API listener (proxyless gRPC) has no socket and no filter chains
    }
    if (!l.hasAddress() && !l.hasInternalListener()) {
      report.add(join(path, "address"), "a listener needs an address");
    }
    if (l.hasAddress()) {
      addressIsIp(l.getAddress(), join(path, "address"), "listener", report);
    }
    if (l.getFilterChainsCount() == 0 && !l.hasDefaultFilterChain()) {
      report.add(join(path, "filter_chains"), "a listener needs at least one filter chain");
    }
    Map<String, Integer> names = new HashMap<>();
    Map<FilterChainMatch, Integer> matches = new HashMap<>();
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      FilterChain chain = l.getFilterChains(i);
      String at = join(path, "filter_chains[" + i + "]");
      if (!chain.getName().isEmpty()) {
        Integer first = names.putIfAbsent(chain.getName(), i);
        if (first != null) {
          report.add(
              join(at, "name"),
              "filter chain name '" + chain.getName() + "' repeats filter_chains[" + first + "]");
        }
      }
      if (!l.hasFilterChainMatcher()) {
        Integer first = matches.putIfAbsent(chain.getFilterChainMatch(), i);
        if (first != null) {
          report.add(
              join(at, "filter_chain_match"),
              "same matching rules as filter_chains[" + first + "]");
        }
      }
    }
  }

  private static void networkFilters(List<Filter> filters, String path, PgvRules.Report report) {
    for (int i = 0; i < filters.size(); i++) {
      Filter f = filters.get(i);
      boolean terminal = TERMINAL_NETWORK_FILTERS.contains(typeName(f.getTypedConfig()));
      if (terminal && i < filters.size() - 1) {
        report.add(
            join(path, "filters[" + i + "]"),
            "terminal filter '" + f.getName() + "' must be the last network filter");
      }
    }
  }

  private static void httpFilters(HttpConnectionManager hcm, String path, PgvRules.Report report) {
    List<HttpFilter> filters = hcm.getHttpFiltersList();
    if (filters.isEmpty()) {
      report.add(join(path, "http_filters"), "needs the router filter as the last http filter");
      return;
    }
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < filters.size(); i++) {
      HttpFilter f = filters.get(i);
      String at = join(path, "http_filters[" + i + "]");
      Integer first = names.putIfAbsent(f.getName(), i);
      if (first != null) {
        report.add(
            join(at, "name"),
            "http filter name '" + f.getName() + "' repeats http_filters[" + first + "]");
      }
      boolean last = i == filters.size() - 1;
      if (isRouter(f) && !last) {
        report.add(at, "the router must be the last http filter");
      } else if (!isRouter(f) && last) {
        report.add(at, "the last http filter must be the router, not '" + f.getName() + "'");
      }
    }
  }

  static boolean isRouter(HttpFilter f) {
    return f.hasTypedConfig()
        ? is(f.getTypedConfig(), Router.getDefaultInstance())
        : f.getName().equals(ROUTER_FILTER);
  }

  // ---- routes ----

  private static void virtualHosts(RouteConfiguration rc, String path, PgvRules.Report report) {
    Map<String, Integer> names = new HashMap<>();
    Map<String, String> domains = new HashMap<>();
    Set<String> wildcards = new HashSet<>();
    for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
      VirtualHost vh = rc.getVirtualHosts(i);
      String at = join(path, "virtual_hosts[" + i + "]");
      Integer first = names.putIfAbsent(vh.getName(), i);
      if (first != null) {
        report.add(
            join(at, "name"),
            "virtual host name '" + vh.getName() + "' repeats virtual_hosts[" + first + "]");
      }
      for (int j = 0; j < vh.getDomainsCount(); j++) {
        // Envoy matches domains case-insensitively, so it compares them lower-cased.
        String domain = vh.getDomains(j).toLowerCase(Locale.ROOT);
        String here = join(at, "domains[" + j + "]");
        String earlier = domains.putIfAbsent(domain, here);
        if (domain.equals("*")) {
          if (!wildcards.add(domain)) {
            report.add(here, "only one wildcard domain '*' is allowed; first at " + earlier);
          }
        } else if (earlier != null) {
          report.add(here, "domain '" + domain + "' repeats " + earlier);
        }
      }
    }
  }

  @SuppressWarnings(
      "deprecation") // total_weight is deprecated, but Envoy still enforces it when set
  private static void weights(WeightedCluster wc, String path, PgvRules.Report report) {
    long sum = 0;
    for (WeightedCluster.ClusterWeight w : wc.getClustersList()) {
      sum += w.getWeight().getValue() & 0xffffffffL;
    }
    if (wc.getClustersCount() > 0 && sum == 0) {
      report.add(join(path, "clusters"), "the sum of cluster weights must be greater than 0");
    }
    if (wc.hasTotalWeight() && (wc.getTotalWeight().getValue() & 0xffffffffL) != sum) {
      report.add(
          join(path, "total_weight"),
          "the cluster weights add up to "
              + sum
              + ", not total_weight "
              + Integer.toUnsignedString(wc.getTotalWeight().getValue()));
    }
  }

  // ---- helpers ----

  /** The message type an Any holds: Envoy accepts any URL prefix before the last '/'. */
  static String typeName(Any any) {
    String url = any.getTypeUrl();
    return url.substring(url.lastIndexOf('/') + 1);
  }

  /** The generated form of a message that may be dynamic (it came out of an Any). */
  @SuppressWarnings("unchecked")
  static <T extends Message> T as(Message m, T defaultInstance) {
    if (defaultInstance.getClass().isInstance(m)) {
      return (T) m;
    }
    try {
      return (T) defaultInstance.getParserForType().parseFrom(m.toByteString());
    } catch (InvalidProtocolBufferException e) {
      // Cannot happen: the bytes came from a message of the same descriptor.
      throw new IllegalStateException("re-parsing " + m.getDescriptorForType().getFullName(), e);
    }
  }

  static boolean is(Any any, Message defaultInstance) {
    return typeName(any).equals(defaultInstance.getDescriptorForType().getFullName());
  }
}
