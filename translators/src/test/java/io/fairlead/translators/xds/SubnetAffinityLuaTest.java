package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs the subnet-affinity script that gateways and sidecars get against the cases in {@code
 * lua/subnet-affinity-cases.lua}, with a stand-in for Envoy's request handle: in LuaJ always, and
 * in LuaJIT, the interpreter Envoy embeds, where {@code luajit} is installed ({@code
 * scripts/test.sh} installs Debian's package when it can). Envoy itself is not available here.
 */
class SubnetAffinityLuaTest {

  /** How many checks the cases file makes; a lost case fails the count. */
  private static final int CASES = 20;

  private static String cases() throws IOException {
    try (InputStream in =
        SubnetAffinityLuaTest.class.getResourceAsStream("/lua/subnet-affinity-cases.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void casesPassInLuaJ() throws IOException {
    Globals lua = JsePlatform.standardGlobals();
    lua.load(HttpFilters.SUBNET_SCRIPT, "subnet-affinity.lua").call();
    lua.load(cases(), "subnet-affinity-cases.lua").call();
    Varargs result = lua.get("run_cases").invoke();
    List<String> failures = new ArrayList<>();
    LuaValue list = result.arg(2);
    for (int i = 1; i <= list.length(); i++) {
      failures.add(list.get(i).tojstring());
    }
    assertThat(failures).isEmpty();
    assertThat(result.arg1().toint()).isEqualTo(CASES);
  }

  @Test
  void casesPassInLuaJit() throws Exception {
    Optional<Path> luajit = onPath("luajit");
    assumeTrue(luajit.isPresent(), "luajit is not installed (Debian package luajit)");
    Path dir = Files.createTempDirectory("fairlead-lua");
    try {
      Path script =
          Files.writeString(dir.resolve("subnet-affinity.lua"), HttpFilters.SUBNET_SCRIPT);
      Path casesFile = Files.writeString(dir.resolve("cases.lua"), cases());
      Path driver =
          Files.writeString(
              dir.resolve("driver.lua"),
              "dofile(arg[1]); dofile(arg[2]); local p, f = run_cases();"
                  + " for _, m in ipairs(f) do print('FAIL ' .. m) end;"
                  + " print('passed ' .. p); os.exit(#f == 0 and 0 or 1)");
      Process process =
          new ProcessBuilder(
                  luajit.get().toString(),
                  driver.toString(),
                  script.toString(),
                  casesFile.toString())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("luajit finished").isTrue();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out).doesNotContain("FAIL").contains("passed " + CASES);
      assertThat(process.exitValue()).as(out).isZero();
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  private static Optional<Path> onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
