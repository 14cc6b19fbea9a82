package io.fairlead.examples.grpcnode;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class, with the reason in the report, where the grpc-node client cannot run: no
 * {@code node} on PATH or its dependencies not installed. scripts/test.sh installs them, so CI runs
 * it.
 */
final class NodeClientAvailable implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return NodeClient.unavailable()
        .map(why -> ConditionEvaluationResult.disabled("grpc-node client unavailable: " + why))
        .orElseGet(
            () -> ConditionEvaluationResult.enabled("node and its dependencies are installed"));
  }
}
