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
  void aBurstIsMergedAndDueAQuietPeriodAfterItsLastTrigger() {
    schedule.trigger(0);
    schedule.trigger(30 * MS);
    schedule.trigger(60 * MS);
    assertThat(schedule.dueAt()).hasValue(160 * MS);
    assertThat(schedule.take()).isEqualTo(3);
    assertThat(schedule.dueAt()).isEmpty();
  }

  @Test
  void aSteadyStreamOfTriggersIsDueAtTheMaximumDelay() {
    for (long t = 0; t <= 2000; t += 50) {
      schedule.trigger(t * MS);
    }
    assertThat(schedule.dueAt()).hasValue(1000 * MS);
  }

  @Test
  void theNextBatchStartsAtItsOwnFirstTrigger() {
    schedule.trigger(0);
    schedule.take();
    schedule.trigger(5000 * MS);
    assertThat(schedule.dueAt()).hasValue(5100 * MS);
    assertThat(schedule.take()).isEqualTo(1);
  }

  @Test
  void worksAcrossNanoTimeWraparound() {
    long start = Long.MAX_VALUE - 50 * MS;
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
