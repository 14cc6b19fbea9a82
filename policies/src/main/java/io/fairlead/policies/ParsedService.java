package io.fairlead.policies;

import java.util.List;

/** The effective policy of every port of a Service, and what was wrong with its input. */
public record ParsedService(List<PortPolicy> ports, List<Diagnostic> diagnostics) {}
