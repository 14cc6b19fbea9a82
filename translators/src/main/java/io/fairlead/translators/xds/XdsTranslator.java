package io.fairlead.translators.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Reason;
import io.fairlead.policies.SessionPersistence;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.Violation;
import io.fairlead.translators.validate.XdsValidator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * ServiceModel and proxy context to Envoy resources. Pure: no I/O, no clock; output lists are
 * sorted by name, so equal inputs give equal bytes.
 */
public final class XdsTranslator {

  private XdsTranslator() {}

  /**
   * The resources of one context, in a cluster with the default settings ({@code cluster.local}).
   */
  public static XdsResources translate(ServiceModel model, ProxyContext ctx) {
    return translate(model, ctx, TranslationSettings.DEFAULT);
  }

  public static XdsResources translate(
      ServiceModel model, ProxyContext ctx, TranslationSettings settings) {
    List<ServiceResources> parts = new ArrayList<>();
    for (ServiceEntry svc : model.services()) {
      if (ctx.sees(svc)) {
        parts.add(translateService(svc, ctx, settings));
      }
    }
    return assemble(parts, model.diagnostics(), ctx, settings);
  }

  /**
   * {@link #translateService(ServiceEntry, ProxyContext, TranslationSettings)} with the default
   * settings.
   */
  public static ServiceResources translateService(ServiceEntry svc, ProxyContext ctx) {
    return translateService(svc, ctx, TranslationSettings.DEFAULT);
  }

  /**
   * One Service's share of a context's resources; memoize it by (ServiceEntry, context) for one
   * settings value.
   */
  public static ServiceResources translateService(
      ServiceEntry svc, ProxyContext ctx, TranslationSettings settings) {
    return translateService(svc, ctx, settings, XdsTranslator::validate);
  }

  /** How a built resource is checked against Envoy's rules before it may be served. */
  @FunctionalInterface
  public interface Validation {
    /** The resource's violations; empty when Envoy would accept it. */
    List<Violation> validate(String resourceName, Message resource);
  }

  /** Envoy's rules (protoc-gen-validate and the semantic ones) for one built resource. */
  public static List<Violation> validate(String resourceName, Message resource) {
    return VALIDATOR.validateMessage(resourceName, resource);
  }

  /**
   * {@link #translateService(ServiceEntry, ProxyContext, TranslationSettings)} with the built
   * resources checked by {@code validation}: a cache of earlier results gives the same output as
   * validating each time.
   */
  public static ServiceResources translateService(
      ServiceEntry svc, ProxyContext ctx, TranslationSettings settings, Validation validation) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    List<GatewayListenerBuilder.Exposed> exposed = new ArrayList<>();
    List<Claims.Address> addressClaims = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    ObjectRef object = svc.ref();
    ClientKind client = ctx.role() == ProxyRole.PROXYLESS ? ctx.client() : ClientKind.ENVOY;
    ClientCapabilities.Dialect dialect = ClientCapabilities.dialect(client);
    for (PortEntry port : svc.ports()) {
      ClientCapabilities.Adapted adapted = ClientCapabilities.adapt(port.policy(), client, object);
      diagnostics.addAll(adapted.downgrades());
      PortPolicy p = adapted.policy();
      String cluster = ResourceNames.cluster(svc.ref(), port.port());
      boolean routed =
          switch (ctx.role()) {
            case SIDECAR, PROXYLESS -> true;
            case GATEWAY ->
                p.gateway().filter(g -> g.group().equals(ctx.gatewayGroup())).isPresent();
          };
      if (!routed) {
        continue;
      }
      List<Message> built = new ArrayList<>();
      built.add(ClusterBuilder.build(cluster, settings.serviceHost(svc.ref()), p, dialect));
      ClientCapabilities.Weighted weighted =
          ClientCapabilities.endpointWeights(p, port.endpoints(), client, object);
      diagnostics.addAll(weighted.downgrades());
      built.add(EndpointsBuilder.build(cluster, p, weighted.endpoints(), ctx, dialect));
      switch (ctx.role()) {
        case SIDECAR -> {
          // A declared root brings the backends of its split that the declaration leaves out
          // (backends it names are translated as Services of their own).
          built.addAll(
              splitBackendClusters(
                  port,
                  cluster,
                  ctx,
                  settings,
                  dialect,
                  b -> !ctx.declares(b) && ctx.namespaceVisible(b.namespace())));
          if (!svc.clusterIps().isEmpty()) {
            built.add(
                SidecarListenerBuilder.virtual(svc, p, settings, port.split(), ctx.onDemand()));
            if (p.protocol().isHttp()) {
              built.add(SidecarListenerBuilder.route(svc, p, port.split()));
            }
          }
        }
        // the gateway's routes for this port; GatewayListenerBuilder places them in its virtual
        // hosts. A split's backends need not be exposed themselves: their clusters come along.
        case GATEWAY -> {
          // access-log off: the gateway's one log skips the routes marked here.
          boolean unlogged = !p.traffic().logged();
          RouteBuilder.routes(
                  cluster,
                  cluster,
                  p.gateway().orElseThrow().pathPrefix(),
                  p,
                  port.split(),
                  dialect,
                  ClientAddress.DERIVED)
              .forEach(r -> built.add(unlogged ? Telemetry.unlogged(r) : r));
          built.addAll(splitBackendClusters(port, cluster, ctx, settings, dialect, b -> true));
        }
        case PROXYLESS ->
            built.add(ProxylessListenerBuilder.build(svc, p, port.split(), dialect, settings));
      }
      // The safety net under the property tests: a port whose resources Envoy would reject is
      // left out, with an error, and never served; the other ports and Services are not affected.
      Optional<Violation> invalid =
          built.stream().flatMap(m -> validation.validate(resourceName(m), m).stream()).findFirst();
      if (invalid.isPresent()) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INTERNAL,
                Subject.of(object, p.port().label(), "spec.ports[" + p.port().label() + "]"),
                "a generated resource fails Envoy's validation (a Fairlead bug, please report): "
                    + invalid.get().resource()
                    + " "
                    + invalid.get().path()
                    + ": "
                    + invalid.get().message()
                    + "; port left out"));
        continue;
      }
      for (Message m : built) {
        if (m instanceof Cluster c) {
          clusters.add(c);
        } else if (m instanceof ClusterLoadAssignment e) {
          endpoints.add(e);
        } else if (m instanceof Listener l) {
          listeners.add(l);
        } else if (m instanceof RouteConfiguration r) {
          routes.add(r);
        }
      }
      if (ctx.role() == ProxyRole.SIDECAR) {
        String listener = ResourceNames.sidecarListener(svc.ref(), p.port().port());
        for (String ip : svc.clusterIps()) {
          addressClaims.add(
              new Claims.Address(
                  svc.ref(), p.port().label(), ip + ":" + p.port().port(), listener));
        }
      }
      if (ctx.role() == ProxyRole.GATEWAY) {
        exposed.add(
            new GatewayListenerBuilder.Exposed(
                svc,
                p,
                p.gateway().orElseThrow(),
                built.stream().filter(Route.class::isInstance).map(Route.class::cast).toList()));
        sessionExpiryAcrossReplicas(p, ctx, object).ifPresent(diagnostics::add);
      }
    }
    if (ctx.role() == ProxyRole.SIDECAR && svc.clusterIps().isEmpty()) {
      diagnostics.add(
          Diagnostic.info(
              Reason.NATIVE_FIELD,
              Subject.of(object, "spec.clusterIP"),
              "headless Service: no virtual IP to capture, so sidecars get its clusters only"));
    }
    return new ServiceResources(
        clusters, endpoints, listeners, routes, exposed, addressClaims, diagnostics);
  }

  /**
   * A gateway fleet shares session cookies across replicas, but Envoy builds without
   * envoyproxy/envoy PR #44981 write a cookie's expiry in their own monotonic clock (issue #44111),
   * so another replica may take a fresh cookie for an expired one, or the reverse.
   */
  private static Optional<Diagnostic> sessionExpiryAcrossReplicas(
      PortPolicy p, ProxyContext ctx, ObjectRef object) {
    if (ctx.gateway().sessionCookieWallClock()
        || !(p.affinity().sessionPersistence().orElse(null) instanceof SessionPersistence.Cookie c)
        || c.ttl().isZero()) {
      return Optional.empty();
    }
    return Optional.of(
        Diagnostic.warning(
            Reason.NO_EFFECT,
            Subject.of(object, p.port().label(), AnnotationRegistry.PERSISTENCE_TIMEOUT.fullName()),
            "port "
                + p.port().label()
                + ", gateway group "
                + ctx.gatewayGroup()
                + ": this Envoy build writes the session cookie's expiry in its own monotonic clock, so another gateway"
                + " replica may end a fresh session early or keep an expired one (envoyproxy/envoy#44111); run an Envoy build"
                + " with PR #44981 and declare it (fairlead bootstrap --session-cookie-wall-clock), or use persistence-timeout 0s"));
  }

  /**
   * The clusters and endpoints of a split's backends other than the root port itself, built from
   * the backends' own policies exactly as their Services would build them, so that where both exist
   * {@link #assemble} keeps one.
   */
  private static List<Message> splitBackendClusters(
      PortEntry port,
      String rootCluster,
      ProxyContext ctx,
      TranslationSettings settings,
      ClientCapabilities.Dialect dialect,
      java.util.function.Predicate<ObjectRef> wanted) {
    if (port.split().isEmpty()) {
      return List.of();
    }
    java.util.Map<String, Map.Entry<ObjectRef, PortEntry>> targets = new java.util.TreeMap<>();
    port.split()
        .get()
        .backends()
        .forEach(
            b ->
                targets.put(
                    ResourceNames.cluster(b.service(), b.port().port()),
                    Map.entry(b.service(), b.port())));
    port.split()
        .get()
        .matches()
        .forEach(
            m ->
                targets.put(
                    ResourceNames.cluster(m.service(), m.port().port()),
                    Map.entry(m.service(), m.port())));
    targets.remove(rootCluster);
    targets.values().removeIf(t -> !wanted.test(t.getKey()));
    List<Message> out = new ArrayList<>();
    targets.forEach(
        (name, target) -> {
          PortPolicy bp =
              ClientCapabilities.adapt(
                      target.getValue().policy(), ClientKind.ENVOY, target.getKey())
                  .policy();
          out.add(ClusterBuilder.build(name, settings.serviceHost(target.getKey()), bp, dialect));
          out.add(EndpointsBuilder.build(name, bp, target.getValue().endpoints(), ctx, dialect));
        });
    return out;
  }

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  private static String resourceName(Message m) {
    if (m instanceof Cluster c) {
      return c.getName();
    }
    if (m instanceof ClusterLoadAssignment e) {
      return e.getClusterName();
    }
    if (m instanceof Listener l) {
      return l.getName();
    }
    return m instanceof RouteConfiguration r ? r.getName() : ((Route) m).getName();
  }

  /**
   * {@link #assemble(Collection, Collection, ProxyContext, TranslationSettings)} with the default
   * settings.
   */
  public static XdsResources assemble(
      Collection<ServiceResources> parts,
      Collection<Diagnostic> modelDiagnostics,
      ProxyContext ctx) {
    return assemble(parts, modelDiagnostics, ctx, TranslationSettings.DEFAULT);
  }

  /**
   * Joins per-Service parts with the context-wide resources (capture listener, gateway, the trace
   * collector's cluster).
   */
  public static XdsResources assemble(
      Collection<ServiceResources> parts,
      Collection<Diagnostic> modelDiagnostics,
      ProxyContext ctx,
      TranslationSettings settings) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    List<GatewayListenerBuilder.Exposed> exposed = new ArrayList<>();
    TreeSet<Diagnostic> diagnostics = new TreeSet<>(modelDiagnostics);
    for (ServiceResources part : parts) {
      clusters.addAll(part.clusters());
      endpoints.addAll(part.endpoints());
      listeners.addAll(part.listeners());
      routes.addAll(part.routes());
      exposed.addAll(part.exposed());
      diagnostics.addAll(part.diagnostics());
    }
    if (ctx.role() == ProxyRole.SIDECAR) {
      // Two Services claiming one virtual IP and port (a directory of manifests can say so,
      // Kubernetes cannot) would make Envoy reject the second listener.
      List<Claims.Address> claims = new ArrayList<>();
      parts.forEach(part -> claims.addAll(part.addressClaims()));
      Claims.AddressResolution lost = Claims.addresses(claims);
      diagnostics.addAll(lost.diagnostics());
      listeners.removeIf(l -> lost.losingListeners().contains(l.getName()));
      // A sidecar's route is named as its listener (ResourceNames), and must go with it.
      routes.removeIf(r -> lost.losingListeners().contains(r.getName()));
      clusters.add(ClusterBuilder.passthrough());
      listeners.add(SidecarListenerBuilder.capture(ctx.onDemand()));
      diagnostics.addAll(ProxyDiagnostics.of(ctx, settings));
    }
    if (ctx.role() == ProxyRole.GATEWAY) {
      // Claims orders the exposed ports itself: the parts may arrive in any order.
      GatewayListenerBuilder.Result gw = GatewayListenerBuilder.build(exposed, ctx, settings);
      gw.listener().ifPresent(listeners::add);
      gw.route().ifPresent(routes::add);
      diagnostics.addAll(gw.diagnostics());
    }
    boolean httpManagers =
        listeners.stream()
            .anyMatch(
                l ->
                    l.getFilterChainsList().stream()
                        .flatMap(c -> c.getFiltersList().stream())
                        .anyMatch(f -> f.getName().equals(ConnectionManagers.HCM)));
    if (ctx.role() != ProxyRole.PROXYLESS && httpManagers) {
      // Spans leave through this cluster; only a proxy with a connection manager makes any.
      settings.tracing().ifPresent(t -> clusters.add(Telemetry.collector(t)));
    }
    return new XdsResources(
        sorted(unique(clusters, Cluster::getName), Cluster::getName),
        sorted(
            unique(endpoints, ClusterLoadAssignment::getClusterName),
            ClusterLoadAssignment::getClusterName),
        sorted(listeners, Listener::getName),
        sorted(routes, RouteConfiguration::getName),
        List.copyOf(diagnostics));
  }

  /**
   * What {@link #assemble} adds for a gateway context: its one listener and route configuration
   * over the exposed ports of all {@code parts}, and the diagnostics of hosts and paths claimed
   * twice. Empty listener and route when nothing is exposed on the context's gateway group.
   */
  public record GatewayConfig(
      Optional<Listener> listener,
      Optional<RouteConfiguration> route,
      List<Diagnostic> diagnostics) {}

  /**
   * The gateway's listener and route for {@code parts}, exactly as {@link #assemble} builds them.
   */
  public static GatewayConfig gateway(
      Collection<ServiceResources> parts, ProxyContext ctx, TranslationSettings settings) {
    List<GatewayListenerBuilder.Exposed> exposed = new ArrayList<>();
    parts.forEach(part -> exposed.addAll(part.exposed()));
    GatewayListenerBuilder.Result gw = GatewayListenerBuilder.build(exposed, ctx, settings);
    return new GatewayConfig(gw.listener(), gw.route(), gw.diagnostics());
  }

  /**
   * The first resource of each name: a gateway's split brings its backends' clusters along, and a
   * backend exposed on the same gateway builds the same one itself.
   */
  private static <T extends Message> List<T> unique(List<T> items, Function<T, String> name) {
    java.util.Map<String, T> byName = new java.util.LinkedHashMap<>();
    items.forEach(i -> byName.putIfAbsent(name.apply(i), i));
    return new ArrayList<>(byName.values());
  }

  private static <T extends Message> List<T> sorted(List<T> items, Function<T, String> name) {
    return items.stream().sorted(Comparator.comparing(name)).toList();
  }
}
