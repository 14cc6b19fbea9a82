package io.fairlead.translators.model;

import io.fairlead.policies.Diagnostic;
import java.util.List;

/** The intermediate model: every Service, sorted by ref, plus all diagnostics, sorted. */
public record ServiceModel(List<ServiceEntry> services, List<Diagnostic> diagnostics) {}
