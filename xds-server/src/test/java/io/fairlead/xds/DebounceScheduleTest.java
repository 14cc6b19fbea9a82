package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DebounceScheduleTest {

  private static final long MS = 1_000_000L;

  private final DebounceSchedule schedule =
      new DebounceSchedule(Duration.ofMillis(100), Duration.ofMillis(1000));

  @Test
  void nothingIsDueWithoutATrigger() {
    assertThat(schedule.dueAt()).isEmpty();
  }

  @Test
  void theFirstChangeIsDueAtOnce() {
    schedule.trigger(7 * MS);
    assertThat(schedule.dueAt()).hasValue(7 * MS);
  }

  @Test
  void aLoneChangeAfterAQuietPeriodIsDueAtOnce() {
    schedule.trigger(0);
    assertThat(schedule.take()).isEqualTo(1);
    schedule.built(20 * MS);
    schedule.trigger(120 * MS); // exactly a quiet period after the build ended
    assertThat(schedule.dueAt()).hasValue(120 * MS);
    schedule.take();
    schedule.built(130 * MS);
    schedule.trigger(5000 * MS);
    assertThat(schedule.dueAt()).hasValue(5000 * MS);
  }

  /** The build at 0 ran until 20 ms. */
  private void builtAt20() {
    schedule.trigger(0);
    schedule.take();
    schedule.built(20 * MS);
  }

  @Test
  void changesSoonAfterABuildAreMergedAndDueAQuietPeriodAfterIt() {
    builtAt20();
    schedule.trigger(30 * MS);
    assertThat(schedule.dueAt()).hasValue(120 * MS);
    schedule.trigger(60 * MS);
    schedule.trigger(110 * MS);
    assertThat(schedule.dueAt()).as("later triggers do not push it back").hasValue(120 * MS);
    assertThat(schedule.take()).isEqualTo(3);
    assertThat(schedule.dueAt()).isEmpty();
  }

  @Test
  void changesDuringABuildAreDueAQuietPeriodAfterItEnds() {
    schedule.trigger(0);
    schedule.take(); // building
    schedule.trigger(10 * MS);
    schedule.trigger(40 * MS);
    assertThat(schedule.dueAt()).as("provisional, while building").hasValue(1010 * MS);
    schedule.built(50 * MS);
    assertThat(schedule.dueAt()).hasValue(150 * MS);
    assertThat(schedule.take()).isEqualTo(2);
  }

  @Test
  void aCheapBuildIsFollowedSoonAndAnExpensiveOneAfterTheQuietPeriod() {
    // a 2 ms build: the gap is 4 x 2 = 8 ms, not the 100 ms quiet period
    schedule.trigger(0);
    schedule.take(0);
    schedule.trigger(1 * MS);
    schedule.built(2 * MS);
    assertThat(schedule.gap()).isEqualTo(java.time.Duration.ofMillis(8));
    assertThat(schedule.dueAt()).hasValue(10 * MS);
    // a 0.1 ms build: never less than a twentieth of the quiet period (5 ms)
    schedule.take(10 * MS);
    schedule.built(10 * MS + 100_000);
    assertThat(schedule.gap()).isEqualTo(java.time.Duration.ofMillis(5));
    // a 60 ms build (a large world, a wide fan-out): 240 ms, held to the quiet period
    schedule.trigger(20 * MS);
    schedule.take(20 * MS);
    schedule.trigger(30 * MS);
    schedule.built(80 * MS);
    assertThat(schedule.gap()).isEqualTo(java.time.Duration.ofMillis(100));
    assertThat(schedule.dueAt()).hasValue(180 * MS);
  }

  @Test
  void aBuildLongerThanTheMaximumDelayIsFollowedAtOnce() {
    schedule.trigger(0);
    schedule.take();
    schedule.trigger(100 * MS);
    schedule.built(3000 * MS);
    assertThat(schedule.dueAt()).hasValue(1100 * MS); // overdue: build now
  }

  @Test
  void aSteadyStreamIsBuiltOncePerBuildAndQuietPeriod() {
    // one trigger every 50 ms for 2 s; each build takes 30 ms; time advances in 10 ms steps
    int builds = 0;
    long buildingUntil = -1;
    long pendingSince = -1;
    long worstWait = 0;
    for (long t = 0; t <= 2000; t += 10) {
      long now = t * MS;
      if (buildingUntil >= 0 && now >= buildingUntil) {
        schedule.built(buildingUntil);
        buildingUntil = -1;
      }
      if (t % 50 == 0) {
        if (pendingSince < 0) {
          pendingSince = now;
        }
        schedule.trigger(now);
      }
      if (buildingUntil < 0
          && schedule.dueAt().isPresent()
          && schedule.dueAt().getAsLong() <= now) {
        worstWait = Math.max(worstWait, now - pendingSince);
        schedule.take();
        pendingSince = -1;
        builds++;
        buildingUntil = now + 30 * MS;
      }
    }
    assertThat(builds)
        .as("one build per build time and quiet period, not one per change")
        .isBetween(15, 17);
    assertThat(worstWait)
        .as("a change waits at most a build and a quiet period")
        .isLessThanOrEqualTo(130 * MS);
  }

  @Test
  void worksAcrossNanoTimeWraparound() {
    long start = Long.MAX_VALUE - 50 * MS;
    schedule.trigger(start - 40 * MS);
    schedule.take();
    schedule.built(start - 20 * MS);
    schedule.trigger(start);
    assertThat(schedule.dueAt().getAsLong() - start).isEqualTo(80 * MS);
    schedule.take();
    schedule.built(start + 90 * MS); // past Long.MAX_VALUE
    schedule.trigger(start + 100 * MS);
    assertThat(schedule.dueAt().getAsLong() - start).isEqualTo(190 * MS);
  }

  @Test
  void rejectsNonsensicalDurations() {
    assertThatThrownBy(() -> new DebounceSchedule(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quiet period");
    assertThatThrownBy(() -> new DebounceSchedule(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximum delay");
  }
}
