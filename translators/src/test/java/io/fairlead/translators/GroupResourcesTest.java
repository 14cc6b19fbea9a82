package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/** The one-go build of a group's maps by name against inserting the names one by one. */
class GroupResourcesTest {

  /** The name-by-name build the bulk one replaced: the first of each name kept. */
  private static PSortedMap<String, Cluster> oneByOne(List<Cluster> resources, List<String> out) {
    PSortedMap<String, Cluster> map = TreePMap.empty();
    for (Cluster c : resources) {
      String n = c.getName();
      if (n.isEmpty()) {
        out.add("Cluster without a name");
      } else if (map.containsKey(n)) {
        out.add("Cluster '" + n + "' appears twice");
      } else {
        map = map.plus(n, c);
      }
    }
    return map;
  }

  @Test
  void bulkBuildEqualsNameByName() {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Cluster> resources = new ArrayList<>();
      int n = random.nextInt(400);
      for (int i = 0; i < n; i++) {
        // duplicates (same name, other content), empty names, any order
        String name = random.nextInt(20) == 0 ? "" : "c" + random.nextInt(Math.max(1, n));
        resources.add(
            Cluster.newBuilder().setName(name).setAltStatName("v" + random.nextInt(3)).build());
      }
      if (round % 2 == 0) {
        resources.sort(java.util.Comparator.comparing(Cluster::getName));
      }
      List<String> expectedProblems = new ArrayList<>();
      PSortedMap<String, Cluster> expected = oneByOne(resources, expectedProblems);
      List<String> problems = new ArrayList<>();
      PSortedMap<String, Cluster> bulk =
          GroupResources.byName("Cluster", resources, Cluster::getName, problems);
      assertThat(bulk).isEqualTo(expected);
      assertThat(List.copyOf(bulk.keySet())).isEqualTo(List.copyOf(expected.keySet()));
      // the same instance (the first of its name) for every name, not just an equal one
      for (String name : expected.keySet()) {
        assertThat(bulk.get(name)).isSameAs(expected.get(name));
      }
      assertThat(problems).isEqualTo(expectedProblems);
      // and it stays a working persistent map
      assertThat(bulk.plus("zzz", Cluster.getDefaultInstance()).minus("zzz")).isEqualTo(expected);
      if (!expected.isEmpty()) {
        String first = expected.firstKey();
        assertThat(bulk.minus(first)).isEqualTo(expected.minus(first));
        assertThat(bulk.headMap(first, true)).isEqualTo(expected.headMap(first, true));
      }
    }
  }
}
