package dev.pitstop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.testing.CliRunner;
import dev.pitstop.testing.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an init container runs to fill a pod's migrations folder, in an image without a shell. */
class CopyMigrationsCommandTest {
  @TempDir Path dir;

  private final CliRunner cli =
      new CliRunner(
          () -> {
            throw new AssertionError("copy-migrations must not reach a cluster");
          });

  /** A folder laid out as the kubelet mounts a ConfigMap: each key a link into ..data. */
  private Path configMapVolume(String... keys) throws IOException {
    Path volume = Files.createDirectories(dir.resolve("configmap"));
    Path version = Files.createDirectories(volume.resolve("..2026_01_30_10_00_00.123"));
    for (String key : keys) {
      Files.writeString(version.resolve(key), "-- " + key + "\nSELECT 1;\n");
    }
    Files.createSymbolicLink(volume.resolve("..data"), version.getFileName());
    for (String key : keys) {
      Files.createSymbolicLink(volume.resolve(key), Path.of("..data", key));
    }
    return volume;
  }

  @Test
  void copiesAMountedConfigMapsFilesAndNotItsDotFolders() throws IOException {
    Path from = configMapVolume("V1__init.sql", "V2__add_email.sql");
    Path to = dir.resolve("migrations");

    Result result = cli.run("copy-migrations", "--from", from.toString(), "--to", to.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    try (var files = Files.list(to)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("V1__init.sql", "V2__add_email.sql");
    }
    assertThat(Files.isSymbolicLink(to.resolve("V1__init.sql"))).isFalse();
    assertThat(Files.readString(to.resolve("V2__add_email.sql"))).contains("V2__add_email.sql");
    assertThat(result.out()).contains("copied 2 file(s)");
  }

  @Test
  void keepsSubfoldersAndReplacesWhatAnEarlierAttemptCopied() throws IOException {
    Path from = Files.createDirectories(dir.resolve("image/db/migration/2026"));
    Files.writeString(from.resolve("V3__orders.sql"), "SELECT 3;");
    Path to = Files.createDirectories(dir.resolve("migrations/2026"));
    Files.writeString(to.resolve("V3__orders.sql"), "half written");

    Result result =
        cli.run(
            "copy-migrations",
            "--from",
            dir.resolve("image/db/migration").toString(),
            "--to",
            dir.resolve("migrations").toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(Files.readString(to.resolve("V3__orders.sql"))).isEqualTo("SELECT 3;");
  }

  @Test
  void anEmptyFolderIsBadInputBecauseMigratingNothingWouldLookLikeSuccess() throws IOException {
    // an optional ConfigMap that does not exist is mounted as an empty folder
    Path from = configMapVolume();

    Result result =
        cli.run("copy-migrations", "--from", from.toString(), "--to", dir.resolve("m").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no migrations in " + from).contains("misspelt");
    assertThat(result.err().lines()).as("one line").hasSize(1);
  }

  @Test
  void aMissingFolderIsBadInput() {
    Result result =
        cli.run(
            "copy-migrations",
            "--from",
            dir.resolve("nowhere").toString(),
            "--to",
            dir.resolve("m").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("is not a folder");
  }

  @Test
  void aBlankFolderIsBadInput() {
    Result result = cli.run("copy-migrations", "--from", "", "--to", dir.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--from is required");
  }
}
