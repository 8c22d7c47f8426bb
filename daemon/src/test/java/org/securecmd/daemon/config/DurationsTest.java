package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  private static final String EXPECTED =
      "expected a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")";

  @ParameterizedTest(name = "[{index}] {0} = {1} ms")
  @CsvSource(quoteCharacter = '"', textBlock = """
      500ms,        500
      0ms,          0
      0s,           0
      1ms,          1
      10s,          10000
      5m,           300000
      2h,           7200000
      1d,           86400000
      90s,          90000
      007s,         7000
      999999999ms,  999999999
      999999999d,   86399999913600000
      " 10s",       10000
      "10s ",       10000
      "\t5m\t",     300000
      """)
  void parsesEveryUnit(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text.replace("\\t", "\t")));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", " ", "10", "s", "ms", "10 s", "10S", "10Ms", "10sec", "10min", "1w", "1y", "10us",
      "10ns", "-1s", "+1s", "1.5s", "1,5s", "1e3ms", "1000000000s", "1h30m", "10s10s", "PT10S", "٥s", "0x10s",
      "10s;", "\"10s\""})
  void refusesEverythingButAWholeNumberAndOneUnit(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertEquals(EXPECTED, e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0} ms -> {1}")
  @CsvSource(textBlock = """
      0,            0s
      1,            1ms
      100,          100ms
      999,          999ms
      1000,         1s
      1500,         1500ms
      59000,        59s
      60000,        1m
      90000,        90s
      300000,       5m
      3540000,      59m
      3600000,      1h
      5400000,      90m
      86400000,     1d
      90000000,     25h
      172800000,    2d
      86400001,     86400001ms
      """)
  void formatGivesTheShortestExactForm(long millis, String expected) {
    assertEquals(expected, Durations.format(Duration.ofMillis(millis)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"0s", "1ms", "100ms", "1s", "90s", "5m", "90m", "1h", "25h", "1d", "7d", "1500ms"})
  void formatOfParseRoundTripsCanonicalForms(String text) {
    assertEquals(text, Durations.format(Durations.parse(text)));
  }
}
