package dev.pitstop.step;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.internal.info.MigrationInfoImpl;

/** How migrations are named and described in results, shared by migrate, verify and status. */
final class Migrations {
  /** The schema version reported when Flyway has applied nothing yet. */
  static final String NO_VERSION = "none";

  private Migrations() {}

  static String version(MigrationInfo info) {
    if (info == null) {
      return NO_VERSION;
    }
    return info.getVersion() == null ? "R" : info.getVersion().getVersion();
  }

  /** {@code V2 "add email" (V2__add_email.sql)}: how a DBA recognises a migration in a message. */
  static String name(MigrationInfo info) {
    String version = info.getVersion() == null ? "repeatable" : "V" + info.getVersion();
    return version + " \"" + info.getDescription() + "\" (" + info.getScript() + ")";
  }

  /**
   * Whether the migration runs inside a transaction. Flyway decides this from the statements in the
   * script ({@code CREATE INDEX CONCURRENTLY} cannot), and only its resolved migration knows;
   * {@code null} when that is not available.
   */
  static Boolean transactional(MigrationInfo info) {
    if (info instanceof MigrationInfoImpl impl && impl.getResolvedMigration() != null) {
      return impl.getResolvedMigration().getExecutor().canExecuteInTransaction();
    }
    return null;
  }

  /** The names of several migrations, for one message. */
  static String joinNames(java.util.List<MigrationInfo> migrations) {
    return String.join(", ", migrations.stream().map(Migrations::name).toList());
  }

  /** Version, description, script, checksum and transactional, as result fields. */
  static Map<String, Object> pendingFields(MigrationInfo info) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("version", info.getVersion() == null ? null : info.getVersion().getVersion());
    fields.put("description", info.getDescription());
    fields.put("script", info.getScript());
    fields.put("checksum", info.getChecksum());
    fields.put("transactional", transactional(info));
    return fields;
  }
}
