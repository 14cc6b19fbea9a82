package io.fairlead.policies;

import java.util.List;

/**
 * The effective policy of every port of a Service, the Service-wide settings, and what was wrong
 * with its input.
 */
public record ParsedService(
    List<PortPolicy> ports, ExportTo exportTo, List<Diagnostic> diagnostics) {}
