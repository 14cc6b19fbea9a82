package io.fairlead.cli;

import io.fairlead.k8s.LoadResult;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.output.ModelTree;
import io.fairlead.translators.output.Trees;
import io.fairlead.translators.validate.Violation;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "translate",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the Envoy resources one kind of proxy gets for the given Kubernetes objects, or with --to model the model they are made from.",
      "Exit 0: no error diagnostic; 1: output printed, but some input had an error; 2: unusable input."
    })
final class TranslateCommand implements Callable<Integer> {

  /** What {@code --to} prints. */
  enum Stage {
    /** The Envoy resources of one kind of proxy. */
    XDS,
    /** The model every proxy's resources are made from. */
    MODEL;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The Envoy resource types {@code -t} selects, with their keys in the printed document. */
  enum ResourceType {
    CLUSTER("clusters"),
    ENDPOINT("endpoints"),
    LISTENER("listeners"),
    ROUTE("routes");

    final String key;

    ResourceType(String key) {
      this.key = key;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final class Stages extends Choices<Stage> {
    Stages() {
      super(List.of(Stage.values()), Stage::label);
    }
  }

  static final class ResourceTypes extends Choices<ResourceType> {
    ResourceTypes() {
      super(List.of(ResourceType.values()), ResourceType::label);
    }
  }

  /** The options that mean something with {@code --to model}; the others are about one proxy. */
  private static final Set<String> MODEL_OPTIONS = Set.of("--file", "--to", "--output", "--debug");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ManifestInput input;

  @Mixin ClusterOptions cluster;

  @Mixin TelemetryOptions telemetry;

  @Option(
      names = "--to",
      defaultValue = "xds",
      converter = Stages.class,
      completionCandidates = Stages.class,
      description =
          "What to print, one of: ${COMPLETION-CANDIDATES}. xds: the Envoy resources of the proxy --role describes;"
              + " model: the intermediate model every proxy's resources are made from (Services, ports, effective policies,"
              + " endpoints, diagnostics), sorted (default: ${DEFAULT-VALUE}).")
  Stage to;

  @Option(
      names = "--role",
      converter = Choices.Roles.class,
      completionCandidates = Choices.Roles.class,
      description = "The proxy, one of: ${COMPLETION-CANDIDATES} (required with --to xds).")
  ProxyRole role;

  @Option(
      names = "--client",
      converter = Choices.Clients.class,
      completionCandidates = Choices.Clients.class,
      description =
          "The xDS client, one of: ${COMPLETION-CANDIDATES} (default: envoy; grpc-java for proxyless).")
  ClientKind client;

  @Option(
      names = {"-t", "--type"},
      split = ",",
      paramLabel = "TYPE",
      converter = ResourceTypes.class,
      completionCandidates = ResourceTypes.class,
      description =
          "Only these Envoy resource types: ${COMPLETION-CANDIDATES}; repeat it or separate them by commas"
              + " (default: all). Diagnostics are always printed.")
  List<ResourceType> types;

  @Option(
      names = "--gateway",
      defaultValue = ProxyContext.DEFAULT_GATEWAY_GROUP,
      description = "Gateway group (default: ${DEFAULT-VALUE}).")
  String gateway;

  @Option(
      names = "--gateway-port",
      defaultValue = "8080",
      description = "Gateway listener port (default: ${DEFAULT-VALUE}).")
  int gatewayPort;

  @Option(
      names = "--xff-trusted-hops",
      defaultValue = "0",
      description =
          "Gateway: proxies in front that append to X-Forwarded-For (default: ${DEFAULT-VALUE}).")
  int xffTrustedHops;

  @Option(
      names = "--proxy-protocol",
      description = "Gateway: an L4 balancer in front sends the PROXY protocol header.")
  boolean proxyProtocol;

  @Option(
      names = "--session-cookie-wall-clock",
      description =
          "Gateway: its Envoy build writes session cookie expiry in wall-clock time (envoyproxy/envoy PR #44981).")
  boolean sessionCookieWallClock;

  @Option(
      names = "--proxy-namespace",
      description =
          "Sidecar or proxyless: the proxy's namespace, for fairlead.io/export-to (default: unknown, so only Services exported to every namespace).")
  String proxyNamespace;

  @Option(names = "--zone", description = "The proxy's zone, for trafficDistribution: PreferClose.")
  String zone;

  @Option(names = "--node", description = "The proxy's node, for internalTrafficPolicy: Local.")
  String node;

  @Option(
      names = "--visible-namespaces",
      split = ",",
      description = "Sidecar or proxyless: only Services of these namespaces (default: all).")
  java.util.List<String> visibleNamespaces;

  @Option(
      names = "--dependencies",
      description =
          "Sidecar: as fairlead.io/dependencies on its Pod (NAME, NAMESPACE/NAME, NAMESPACE/*, comma separated): only those Services; a bad entry is an error diagnostic and the rest apply.")
  String dependencies;

  @Option(
      names = "--on-demand",
      description =
          "Sidecar: fetches clusters on demand (the on-demand filter and tcp_proxy on_demand).")
  boolean onDemand;

  @Option(
      names = {"-o", "--output"},
      converter = Choices.Outputs.class,
      completionCandidates = Choices.Outputs.class,
      description = "One of: ${COMPLETION-CANDIDATES} (default: json; yaml with --to model).")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    return to == Stage.MODEL ? model() : xds();
  }

  private int xds() throws Exception {
    if (role == null) {
      throw new IllegalArgumentException(
          "--role is required with --to xds: one of "
              + String.join(", ", new Choices.Roles())
              + " (see --help)");
    }
    ProxyContext ctx =
        ProxyContexts.parse(
            role,
            client,
            ProxyContexts.gateway(
                gateway, gatewayPort, xffTrustedHops, proxyProtocol, sessionCookieWallClock),
            zone,
            node,
            visibleNamespaces,
            proxyNamespace,
            dependencies,
            onDemand);
    LoadResult loaded = input.load();
    ServiceModel model = KubeModelBuilder.build(loaded.state());
    XdsResources r = XdsTranslator.translate(model, ctx, telemetry.apply(cluster.settings));
    List<Diagnostic> diagnostics = new ArrayList<>(new TreeSet<>(r.diagnostics()));
    diagnostics.addAll(loaded.diagnostics());
    // A resource Envoy would reject is a Fairlead bug; say so rather than print it silently.
    for (Violation v : XdsValidator.withEnvoyTypes().validate(r, Set.of())) {
      diagnostics.add(
          Diagnostic.error(
              Reason.INTERNAL,
              new Subject.Source(v.resource(), v.path()),
              "generated resource fails Envoy validation (a Fairlead bug, please report): "
                  + v.message()));
    }
    XdsResources out =
        new XdsResources(r.clusters(), r.endpoints(), r.listeners(), r.routes(), diagnostics);
    Map<String, Object> doc = Trees.resources(out);
    if (types != null) {
      Set<String> keep = types.stream().map(t -> t.key).collect(Collectors.toSet());
      doc.keySet().removeIf(key -> !key.equals("diagnostics") && !keep.contains(key));
    }
    print(doc, output == null ? OutputFormat.JSON : output);
    return exitStatus(diagnostics);
  }

  /** The model and every diagnostic, the file problems included, sorted. */
  private int model() throws Exception {
    List<String> proxyOptions =
        spec.commandLine().getParseResult().matchedOptions().stream()
            .map(OptionSpec::longestName)
            .filter(name -> !MODEL_OPTIONS.contains(name))
            .toList();
    if (!proxyOptions.isEmpty()) {
      throw new IllegalArgumentException(
          "--to model prints the model every proxy's resources are made from; "
              + String.join(", ", proxyOptions)
              + " apply to --to xds");
    }
    LoadResult loaded = input.load();
    ServiceModel model = KubeModelBuilder.build(loaded.state());
    TreeSet<Diagnostic> diagnostics = new TreeSet<>(model.diagnostics());
    diagnostics.addAll(loaded.diagnostics());
    List<Diagnostic> all = List.copyOf(diagnostics);
    print(
        ModelTree.tree(new ServiceModel(model.services(), all)),
        output == null ? OutputFormat.YAML : output);
    return exitStatus(all);
  }

  private void print(Object doc, OutputFormat format) {
    spec.commandLine()
        .getOut()
        .print(format == OutputFormat.YAML ? Trees.yaml(doc) : Trees.json(doc));
    spec.commandLine().getOut().flush();
  }

  private static int exitStatus(List<Diagnostic> diagnostics) {
    return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR)
        ? ExitCodes.ERROR_DIAGNOSTICS
        : ExitCodes.OK;
  }
}
