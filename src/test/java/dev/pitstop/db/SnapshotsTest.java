package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotsTest {
  private static final String UID = "3f8e2a4c-9d1b-4e5f-8a7b-6c5d4e3f2a1b";

  @Test
  void snapshotNameIsDerivedFromTheRunIdDeterministically() {
    assertThat(Snapshots.snapshotName("shop", "run1")).isEqualTo("shop_pitstop_run1");
    assertThat(Snapshots.snapshotName("shop", UID)).isEqualTo(Snapshots.snapshotName("shop", UID));
    assertThat(Snapshots.snapshotName("shop", UID)).startsWith("shop_pitstop_3f8e2a4c").hasSize(29);
    assertThat(Snapshots.snapshotName("shop", UID))
        .isNotEqualTo(Snapshots.snapshotName("shop", UID.replace('1', '2')));
    assertThat(Snapshots.replacedName("shop", "run1")).isEqualTo("shop_pitstop_replaced_run1");
  }

  @Test
  void namesOfLongDatabasesStayWithinSixtyThreeBytesAndValid() {
    String longName = "d".repeat(63);
    String snapshot = Snapshots.snapshotName(longName, UID);
    String replaced = Snapshots.replacedName(longName, UID);

    assertThat(snapshot.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
    assertThat(replaced.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
    assertThat(snapshot).isNotEqualTo(replaced);
    assertThat(Identifiers.requireValid("database", snapshot)).isEqualTo(snapshot);
  }

  @Test
  void runIdsThatCannotBeWrittenSafelyAreUsageErrors() {
    for (String runId : new String[] {"", "a b", "x'y", "-lead", "r".repeat(129)}) {
      PitstopException failure =
          catchThrowableOfType(PitstopException.class, () -> Snapshots.requireRunId(runId));
      assertThat(failure.exitCode()).as(runId).isEqualTo(ExitCode.USAGE);
    }
  }

  @Test
  void markersRoundTripAndForeignCommentsAreIgnored() {
    Snapshots.Marker marker =
        new Snapshots.Marker(
            "shop_pitstop_run1",
            Snapshots.Kind.SNAPSHOT,
            "shop",
            "run1",
            Instant.parse("2024-05-01T10:15:30.123Z"));

    assertThat(Snapshots.parse("shop_pitstop_run1", marker.comment())).contains(marker);
    assertThat(Snapshots.parse("x", "production copy, do not drop")).isEmpty();
    assertThat(Snapshots.parse("x", null)).isEmpty();
  }
}
