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
  void aLoneChangeIsDueAtOnce() {
    schedule.trigger(0);
    assertThat(schedule.dueAt()).hasValue(0);
    assertThat(schedule.take()).isEqualTo(1);
    schedule.built(20 * MS);
    schedule.trigger(5000 * MS); // long after the last build: idle again
    assertThat(schedule.dueAt()).hasValue(5000 * MS);
  }

  /** The build at 0 ran until 20 ms: what comes soon after it waits for quiet, and batches. */
  private void busy() {
    schedule.trigger(0);
    schedule.take();
    schedule.built(20 * MS);
  }

  @Test
  void aBurstSoonAfterABuildIsMergedAndDueAQuietPeriodAfterItsLastTrigger() {
    busy();
    schedule.trigger(30 * MS);
    schedule.trigger(60 * MS);
    schedule.trigger(90 * MS);
    assertThat(schedule.dueAt()).hasValue(190 * MS);
    assertThat(schedule.take()).isEqualTo(3);
    assertThat(schedule.dueAt()).isEmpty();
  }

  @Test
  void changesDuringABuildWaitForItAndBatch() {
    schedule.trigger(0);
    schedule.take(); // building
    schedule.trigger(5000 * MS); // a long build: still not idle
    assertThat(schedule.dueAt()).hasValue(5100 * MS);
  }

  @Test
  void aSteadyStreamOfTriggersIsDueAtTheMaximumDelay() {
    busy();
    for (long t = 30; t <= 2030; t += 50) {
      schedule.trigger(t * MS);
    }
    assertThat(schedule.dueAt()).hasValue(1030 * MS);
  }

  @Test
  void worksAcrossNanoTimeWraparound() {
    long start = Long.MAX_VALUE - 50 * MS;
    schedule.trigger(start - 40 * MS);
    schedule.take();
    schedule.built(start - 20 * MS);
    schedule.trigger(start);
    schedule.trigger(start + 80 * MS);
    assertThat(schedule.dueAt().getAsLong() - start).isEqualTo(180 * MS);
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
