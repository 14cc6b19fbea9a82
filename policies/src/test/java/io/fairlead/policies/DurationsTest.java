package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "250, 250ms",
    "30000, 30s",
    "90000, 1m30s",
    "5400000, 1h30m",
    "3600001, 1h1ms",
    "360000000, 100h"
  })
  void formatsAsAnnotationsAreWritten(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(ParseResult.ok(Duration.ofMillis(millis)));
  }

  @Test
  void everyMillisecondDurationReadsBackAsItself() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      Duration d = Duration.ofMillis(random.nextLong(0, 100L * 365 * 24 * 3600 * 1000));
      assertThat(Durations.parse(Durations.format(d)))
          .as(d.toString())
          .isEqualTo(ParseResult.ok(d));
    }
  }

  @Test
  void lessThanAMillisecondIsDroppedAndNegativeIsRefused() {
    assertThat(Durations.format(Duration.ofNanos(999_999))).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(1).plusNanos(5))).isEqualTo("1ms");
    assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
