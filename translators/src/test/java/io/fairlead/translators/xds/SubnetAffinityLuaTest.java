package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs the subnet-affinity script that the gateway and sidecars get, in a Lua interpreter, with a
 * stand-in for Envoy's request handle. Envoy itself is not available here.
 */
class SubnetAffinityLuaTest {

  private final Globals lua = JsePlatform.standardGlobals();

  SubnetAffinityLuaTest() {
    lua.load(HttpFilters.SUBNET_SCRIPT, "subnet-affinity.lua").call();
  }

  @ParameterizedTest
  @CsvSource({
    "192.168.17.200:5555, 24, 64, 192.168.17.0/24",
    "192.168.17.200:5555, 16, 64, 192.168.0.0/16",
    "192.168.17.200:5555, 20, 64, 192.168.16.0/20",
    "192.168.17.200:5555, 32, 128, 192.168.17.200/32",
    "192.168.17.200:5555, 0, 0, 0.0.0.0/0",
    "[2001:db8:1:2:3:4:5:6]:443, 24, 64, 2001:db8:1:2:0:0:0:0/64",
    "[2001:db8::1]:443, 24, 48, 2001:db8:0:0:0:0:0:0/48",
    "[2001:db8:abcd:12ff::1]:443, 24, 56, 2001:db8:abcd:1200:0:0:0:0/56",
    "[::ffff:10.1.2.3]:80, 8, 64, 10.0.0.0/8",
  })
  void masksTheClientAddress(String address, int v4, int v6, String subnet) {
    assertThat(lua.get("fairlead_subnet").call(LuaValue.valueOf(address), LuaValue.valueOf(v4), LuaValue.valueOf(v6)).tojstring())
        .isEqualTo(subnet);
  }

  @Test
  void clientsOfOneSubnetShareAKeyAndOthersDoNot() {
    LuaValue f = lua.get("fairlead_subnet");
    assertThat(f.call(LuaValue.valueOf("10.1.2.3:1000"), LuaValue.valueOf(24), LuaValue.valueOf(64)))
        .isEqualTo(f.call(LuaValue.valueOf("10.1.2.250:2000"), LuaValue.valueOf(24), LuaValue.valueOf(64)));
    assertThat(f.call(LuaValue.valueOf("10.1.2.3:1000"), LuaValue.valueOf(24), LuaValue.valueOf(64)))
        .isNotEqualTo(f.call(LuaValue.valueOf("10.1.3.3:1000"), LuaValue.valueOf(24), LuaValue.valueOf(64)));
  }

  @Test
  void overwritesAClientSentHeaderWhenTheRouteAsksForSubnets() {
    Map<String, String> headers = new HashMap<>(Map.of(HttpFilters.SUBNET_HEADER, "spoofed"));
    onRequest(headers, Map.of("source_ip_prefix_v4", 24.0, "source_ip_prefix_v6", 64.0), "172.16.5.9:40000");
    assertThat(headers).containsEntry(HttpFilters.SUBNET_HEADER, "172.16.5.0/24");
  }

  @Test
  void removesAClientSentHeaderOnRoutesWithoutSubnets() {
    Map<String, String> headers = new HashMap<>(Map.of(HttpFilters.SUBNET_HEADER, "spoofed"));
    onRequest(headers, Map.of(), "172.16.5.9:40000");
    assertThat(headers).doesNotContainKey(HttpFilters.SUBNET_HEADER);
  }

  /** Calls envoy_on_request with a handle offering headers(), metadata() and streamInfo(). */
  private void onRequest(Map<String, String> headers, Map<String, Double> metadata, String remote) {
    LuaTable headerObj = new LuaTable();
    headerObj.set("remove", fn(a -> { headers.remove(a.arg(2).tojstring()); return LuaValue.NONE; }));
    headerObj.set("add", fn(a -> { headers.put(a.arg(2).tojstring(), a.arg(3).tojstring()); return LuaValue.NONE; }));
    LuaTable metaObj = new LuaTable();
    metaObj.set("get", fn(a -> {
      Double v = metadata.get(a.arg(2).tojstring());
      return v == null ? LuaValue.NIL : LuaValue.valueOf(v);
    }));
    LuaTable info = new LuaTable();
    info.set("downstreamRemoteAddress", fn(a -> LuaValue.valueOf(remote)));
    LuaTable handle = new LuaTable();
    handle.set("headers", fn(a -> headerObj));
    handle.set("metadata", fn(a -> metaObj));
    handle.set("streamInfo", fn(a -> info));
    lua.get("envoy_on_request").call(handle);
  }

  private static VarArgFunction fn(java.util.function.Function<Varargs, Varargs> body) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return body.apply(args);
      }
    };
  }
}
