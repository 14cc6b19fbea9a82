package io.fairlead.examples.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fairlead.translators.input.KubeYaml;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads Kubernetes YAML into Fabric8's typed objects, refusing any field the type does not have, at
 * any depth, with the project's KubeYaml mapper, for every kind the examples use: Fabric8 model
 * classes would keep unknown fields in {@code additionalProperties} through {@code @JsonAnySetter},
 * so a misspelt field would vanish silently.
 */
final class StrictKubeYaml {

  /** The kinds the example manifests may contain; anything else is an error. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.ofEntries(
          Map.entry("v1/Namespace", Namespace.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry(
              "networking.k8s.io/v1/NetworkPolicy",
              io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
          Map.entry("cert-manager.io/v1/Issuer", CertManager.Issuer.class),
          Map.entry("cert-manager.io/v1/Certificate", CertManager.Certificate.class));

  static final ObjectMapper STRICT = KubeYaml.STRICT;

  private StrictKubeYaml() {}

  /** YAML 1.2 documents as plain trees; empty documents are dropped. */
  static List<Object> documents(String source, String yaml) {
    List<Object> out = new ArrayList<>();
    for (Object doc :
        new Load(LoadSettings.builder().setLabel(source).build()).loadAllFromString(yaml)) {
      if (doc != null) {
        out.add(doc);
      }
    }
    return out;
  }

  /**
   * Every document of a manifest file, typed; throws IllegalArgumentException naming the problem.
   */
  static List<HasMetadata> parse(String source, String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    List<Object> docs = documents(source, yaml);
    for (int i = 0; i < docs.size(); i++) {
      objects.add(object(source + " document " + (i + 1), docs.get(i)));
    }
    return objects;
  }

  static HasMetadata object(String where, Object tree) {
    if (!(tree instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": not a Kubernetes object");
    }
    String key = map.get("apiVersion") + "/" + map.get("kind");
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(where + ": kind " + key + " is not one the examples use");
    }
    try {
      return STRICT.convertValue(map, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " (" + key + "): " + e.getMessage(), e);
    }
  }

  /** A plain YAML document into a record or other type, unknown fields failing. */
  static <T> T convert(String where, Object tree, Class<T> type) {
    try {
      return STRICT.convertValue(tree, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }
}
