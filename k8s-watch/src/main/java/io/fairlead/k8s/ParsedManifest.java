package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;

/**
 * The objects read from one manifest file, in document order.
 *
 * @param ignored objects of other kinds, described as {@code apiVersion kind namespace/name}
 */
record ParsedManifest(List<Service> services, List<EndpointSlice> slices, List<String> ignored) {

  ParsedManifest {
    services = List.copyOf(services);
    slices = List.copyOf(slices);
    ignored = List.copyOf(ignored);
  }
}
