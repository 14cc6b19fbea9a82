package io.fairlead.cli;

import io.fairlead.bootstrap.BootstrapGenerator;
import io.fairlead.bootstrap.BootstrapParams;
import io.fairlead.bootstrap.BootstrapWriter;
import io.fairlead.bootstrap.TlsFiles;
import io.fairlead.translators.ProxyRole;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description =
        "Renders an Envoy bootstrap that connects a sidecar or gateway Envoy to Fairlead over delta ADS.")
final class BootstrapCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--role",
      required = true,
      converter = Choices.EnvoyRoles.class,
      completionCandidates = Choices.EnvoyRoles.class,
      description =
          "One of: ${COMPLETION-CANDIDATES} (proxyless gRPC clients need no Envoy bootstrap).")
  ProxyRole role;

  @Option(
      names = "--xds-address",
      required = true,
      description = "HOST:PORT of Fairlead's xDS server.")
  String xdsAddress;

  @Option(names = "--node-id", required = true, description = "Envoy node id (unique per proxy).")
  String nodeId;

  @Option(
      names = "--cluster",
      required = true,
      description = "Envoy node cluster (e.g. the workload name).")
  String cluster;

  @Option(names = "--namespace")
  String namespace;

  @Option(names = "--pod")
  String pod;

  @Option(names = "--node", description = "Kubernetes node name (internalTrafficPolicy: Local).")
  String node;

  @Option(names = "--zone", description = "Zone (trafficDistribution: PreferClose).")
  String zone;

  @Option(names = "--gateway", description = "Gateway group (gateway role).")
  String gateway;

  @Option(
      names = "--gateway-port",
      description = "Gateway listener port (gateway role, default 8080).")
  Integer gatewayPort;

  @Option(names = "--admin-port", description = "Envoy admin port on 127.0.0.1.")
  Integer adminPort;

  @Option(
      names = "--visible-namespaces",
      description = "Sidecar: comma list of namespaces whose Services it gets (default: all).")
  String visibleNamespaces;

  @Option(
      names = "--dependencies",
      description =
          "Sidecar: the Pod's fairlead.io/dependencies (NAME, NAMESPACE/NAME, NAMESPACE/*, comma separated); it gets only those Services. Empty: none declared.")
  String dependencies;

  @Option(
      names = "--on-demand",
      description =
          "Sidecar: fetch clusters on demand over ADS (no CDS wildcard subscription; needs a server that answers named delta CDS).")
  boolean onDemand;

  @Option(
      names = "--xff-trusted-hops",
      description =
          "Gateway: proxies in front that append to X-Forwarded-For (an L7 balancer is 1; default 0: the peer is the client).")
  Integer xffTrustedHops;

  @Option(
      names = "--proxy-protocol",
      description = "Gateway: an L4 balancer in front sends the PROXY protocol header.")
  boolean proxyProtocol;

  @Option(
      names = "--session-cookie-wall-clock",
      description =
          "Gateway: this Envoy build writes session cookie expiry in wall-clock time (envoyproxy/envoy PR #44981), so gateway replicas agree on it.")
  boolean sessionCookieWallClock;

  @Option(names = "--tls-ca")
  String tlsCa;

  @Option(names = "--tls-cert")
  String tlsCert;

  @Option(names = "--tls-key")
  String tlsKey;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "yaml",
      converter = Choices.Outputs.class,
      completionCandidates = Choices.Outputs.class,
      description = "One of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() {
    BootstrapParams.Builder b =
        BootstrapParams.builder()
            .role(role)
            .xdsAddress(xdsAddress)
            .nodeId(nodeId)
            .cluster(cluster)
            .namespace(namespace)
            .pod(pod)
            .node(node)
            .zone(zone)
            .gatewayGroup(gateway)
            .gatewayPort(gatewayPort)
            .adminPort(adminPort)
            .visibleNamespaces(visibleNamespaces)
            .xffTrustedHops(xffTrustedHops)
            .proxyProtocol(proxyProtocol)
            .sessionCookieWallClock(sessionCookieWallClock)
            .dependencies(dependencies)
            .onDemand(onDemand);
    if (tlsCa != null || tlsCert != null || tlsKey != null) {
      b.tls(new TlsFiles(tlsCa, tlsCert, tlsKey));
    }
    var bootstrap = BootstrapGenerator.generate(b.build());
    spec.commandLine()
        .getOut()
        .print(
            BootstrapWriter.write(
                bootstrap,
                output == OutputFormat.YAML
                    ? BootstrapWriter.Format.YAML
                    : BootstrapWriter.Format.JSON));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
