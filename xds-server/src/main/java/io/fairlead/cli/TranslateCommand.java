package io.fairlead.cli;

import io.fairlead.policies.Subject;
import io.fairlead.policies.Reason;
import io.fairlead.k8s.LoadResult;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.output.Trees;
import io.fairlead.translators.validate.Violation;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "translate",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the Envoy resources one kind of proxy gets for the given Kubernetes objects.",
      "Exit 0: no error diagnostic; 1: output printed, but some input had an error; 2: unusable input."
    })
final class TranslateCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ManifestInput input;

  @Option(names = "--role", required = true, description = "sidecar, gateway or proxyless.")
  String role;

  @Option(names = "--client", description = "envoy, grpc-java or grpc-node (default: envoy; grpc-java for proxyless).")
  String client;

  @Option(names = "--gateway", defaultValue = ProxyContext.DEFAULT_GATEWAY_GROUP, description = "Gateway group (default: ${DEFAULT-VALUE}).")
  String gateway;

  @Option(names = "--gateway-port", defaultValue = "8080", description = "Gateway listener port (default: ${DEFAULT-VALUE}).")
  int gatewayPort;

  @Option(names = "--xff-trusted-hops", defaultValue = "0", description = "Gateway: proxies in front that append to X-Forwarded-For (default: ${DEFAULT-VALUE}).")
  int xffTrustedHops;

  @Option(names = "--proxy-protocol", description = "Gateway: an L4 balancer in front sends the PROXY protocol header.")
  boolean proxyProtocol;

  @Option(names = "--session-cookie-wall-clock", description = "Gateway: its Envoy build writes session cookie expiry in wall-clock time (envoyproxy/envoy PR #44981).")
  boolean sessionCookieWallClock;

  @Option(names = "--proxy-namespace", description = "Sidecar or proxyless: the proxy's namespace, for fairlead.io/export-to (default: unknown, so only Services exported to every namespace).")
  String proxyNamespace;

  @Option(names = "--zone", description = "The proxy's zone, for trafficDistribution: PreferClose.")
  String zone;

  @Option(names = "--node", description = "The proxy's node, for internalTrafficPolicy: Local.")
  String node;

  @Option(names = "--visible-namespaces", split = ",", description = "Sidecar or proxyless: only Services of these namespaces (default: all).")
  java.util.List<String> visibleNamespaces;

  @Option(names = {"-o", "--output"}, defaultValue = "json", description = "json or yaml (default: ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() throws Exception {
    ProxyContext ctx =
        ProxyContexts.parse(
            role,
            client,
            ProxyContexts.gateway(gateway, gatewayPort, xffTrustedHops, proxyProtocol, sessionCookieWallClock),
            zone,
            node,
            visibleNamespaces,
            proxyNamespace);
    boolean yaml = OutputFormat.isYaml(output);
    LoadResult loaded = input.load();
    ServiceModel model = KubeModelBuilder.build(loaded.state());
    XdsResources r = XdsTranslator.translate(model, ctx);
    List<Diagnostic> diagnostics = new ArrayList<>(new TreeSet<>(r.diagnostics()));
    diagnostics.addAll(loaded.diagnostics());
    // A resource Envoy would reject is a Fairlead bug; say so rather than print it silently.
    for (Violation v : XdsValidator.withEnvoyTypes().validate(r, Set.of())) {
      diagnostics.add(
          Diagnostic.error(Reason.INTERNAL, new Subject.Source(v.resource(), v.path()), "generated resource fails Envoy validation (a Fairlead bug, please report): " + v.message()));
    }
    XdsResources out = new XdsResources(r.clusters(), r.endpoints(), r.listeners(), r.routes(), diagnostics);
    Object doc = Trees.resources(out);
    spec.commandLine().getOut().print(yaml ? Trees.yaml(doc) : Trees.json(doc));
    spec.commandLine().getOut().flush();
    return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR)
        ? ExitCodes.ERROR_DIAGNOSTICS
        : ExitCodes.OK;
  }
}
