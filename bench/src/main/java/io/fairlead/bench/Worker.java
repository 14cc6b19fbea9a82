package io.fairlead.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scenario against one mode, in a JVM of its own (spawned by {@link Bench}), so that each
 * control plane starts cold (heap, RSS, JIT) and nothing of the other mode is left in the figures.
 * It starts its own proxy fleet and prints one line {@code @result JSON} on stdout.
 */
public final class Worker {

  private Worker() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    String scenario = args[0];
    String mode = args[1];
    ObjectMapper json = new ObjectMapper();
    Config config = json.readValue(args[2], Config.class);
    PrintStream out =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // only the result goes to stdout
    Map<String, Object> result;
    // args[3], when given: the port of a shared fleet; else this worker starts its own
    try (FleetClient fleet =
        args.length > 3
            ? FleetClient.connect(Integer.parseInt(args[3]))
            : FleetClient.start(config.fleetHeap())) {
      result = new Scenarios(config, fleet, Scenarios.targets(mode, config)).run(scenario);
    } catch (Exception | Error e) {
      result = new LinkedHashMap<>();
      result.put("error", e.toString());
      e.printStackTrace();
    }
    out.println("@result " + json.writeValueAsString(result));
    out.flush();
    System.exit(0);
  }
}
