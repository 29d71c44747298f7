package dev.pitstop.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.pitstop.operator.model.Migration;
import dev.pitstop.operator.model.MigrationSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the operator makes for a Migration: the Pitstop config file (keys are the options of {@code
 * pitstop run}, so the Job runs exactly what a pipeline or a human would), the ConfigMap holding
 * it, and the Jobs that plan, run and finish. The password never passes through here: the Jobs get
 * it from the Secret by reference.
 */
public final class Rendered {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "pitstop-operator";
  public static final String MIGRATION_LABEL = "pitstop.dev/migration";
  public static final String ROLE_LABEL = "pitstop.dev/role";
  public static final String APP_LABEL = "pitstop.dev/app";

  /** The Jobs a Migration has. */
  public enum Role {
    PLAN,
    RUN,
    FINISH;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final String CONFIG_DIR = "/etc/pitstop";
  static final String CONFIG_FILE = CONFIG_DIR + "/pitstop.yaml";
  static final String MIGRATIONS_DIR = "/migrations";
  static final String CONFIGMAP_MIGRATIONS_DIR = "/configmap-migrations";
  static final String TERMINATION_LOG = "/dev/termination-log";
  public static final String CONTAINER = "pitstop";

  /**
   * Exit codes after which a new pod would do no good: failed and rolled back, bad input, locked by
   * another run, rollback failed, plan blockers, out of memory. 75 (transient) and 130/143 (a pod
   * stopped) are retried with the same run id, which goes on from the run record.
   */
  static final List<Integer> FINAL_EXIT_CODES = List.of(1, 2, 3, 4, 5, 70);

  private Rendered() {}

  /** The Pitstop config file's keys and values, in the order a human would write them. */
  public static Map<String, Object> config(Migration migration) {
    MigrationSpec spec = migration.getSpec();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("app", spec.app);
    config.put("namespace", migration.getMetadata().getNamespace());
    putList(config, "workload", spec.workloads);
    put(config, "selector", spec.selector);
    if (spec.maintenance != null) {
      MigrationSpec.Maintenance m = spec.maintenance;
      put(config, "mode", m.mode);
      put(config, "configmap", m.configMap);
      put(config, "key", m.key);
      put(config, "value", m.value);
      put(config, "service", m.service);
      put(config, "maintenance-selector", m.maintenanceSelector);
      put(config, "ingress", m.ingress);
      put(config, "httproute", m.httpRoute);
      put(config, "maintenance-backend", m.maintenanceBackend);
    }
    if (spec.keepDown != null) {
      put(config, "delete-running-jobs", spec.keepDown.deleteRunningJobs);
      put(config, "pause-argocd", spec.keepDown.pauseArgoCd);
      put(config, "argocd-namespace", spec.keepDown.argoCdNamespace);
    }
    MigrationSpec.Database db = spec.database;
    put(config, "jdbc-url", db.jdbcUrl);
    put(config, "db-user", db.user);
    put(config, "maintenance-database", db.maintenanceDatabase);
    put(config, "lock-timeout", db.lockTimeout);
    put(config, "statement-timeout", db.statementTimeout);
    put(config, "terminate-sessions", db.terminateSessions);
    put(config, "sessions-timeout", db.sessionsTimeout);
    config.put("locations", locations(spec.migrations));
    if (spec.flyway != null) {
      MigrationSpec.Flyway f = spec.flyway;
      put(config, "target-version", f.targetVersion);
      put(config, "schemas", f.schemas);
      put(config, "baseline-on-migrate", f.baselineOnMigrate);
      put(config, "out-of-order", f.outOfOrder);
      putList(config, "placeholder", f.placeholders);
      put(config, "atomic", f.atomic);
    }
    put(config, "snapshot", spec.snapshot);
    put(config, "keep", spec.keep);
    put(config, "backward-compatible", spec.backwardCompatible);
    if (spec.verify != null) {
      put(config, "expect-version", spec.verify.expectVersion);
      put(config, "allow-pending", spec.verify.allowPending);
    }
    putList(config, "image", spec.images);
    if (spec.smoke != null) {
      putList(config, "url", spec.smoke.urls);
      put(config, "expect-status", spec.smoke.expectStatus);
      put(config, "expect-body", spec.smoke.expectBody);
      put(config, "expect-json", spec.smoke.expectJson);
      put(config, "interval", spec.smoke.interval);
    }
    put(config, "timeout", spec.timeout);
    put(config, "retries", spec.retries);
    put(config, "release-on-rollback-failure", spec.releaseOnRollbackFailure);
    return config;
  }

  private static List<String> locations(MigrationSpec.Migrations migrations) {
    if (migrations.locations != null && !migrations.locations.isEmpty()) {
      return migrations.locations;
    }
    return List.of("filesystem:" + MIGRATIONS_DIR);
  }

  private static void put(Map<String, Object> config, String key, Object value) {
    if (value != null && !(value instanceof String text && text.isBlank())) {
      config.put(key, value);
    }
  }

  private static void putList(Map<String, Object> config, String key, List<String> values) {
    if (values != null && !values.isEmpty()) {
      config.put(key, List.copyOf(values));
    }
  }

  /** The config file's text. */
  public static String configYaml(Migration migration) {
    ObjectMapper yaml =
        new ObjectMapper(
            YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build());
    try {
      return "# rendered by the Pitstop operator from migration/"
          + migration.getMetadata().getName()
          + "; keys are the options of pitstop run\n"
          + yaml.writeValueAsString(config(migration));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String configMapName(Migration migration) {
    return name(migration, "config");
  }

  public static ConfigMap configMap(Migration migration) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(migration, configMapName(migration), "config", true))
        .addToData("pitstop.yaml", configYaml(migration))
        .build();
  }

  /** A Job's name: the Migration's, then its role; cut and made unique when that is too long. */
  public static String jobName(Migration migration, Role role) {
    return name(migration, role.label());
  }

  static String name(Migration migration, String suffix) {
    String name = migration.getMetadata().getName() + "-" + suffix;
    if (name.length() <= 52) {
      return name;
    }
    String hash = sha256(name).substring(0, 8);
    return migration.getMetadata().getName().substring(0, 52 - suffix.length() - 10)
        + "-"
        + hash
        + "-"
        + suffix;
  }

  private static ObjectMeta metadata(Migration migration, String name, String role, boolean owned) {
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(migration.getMetadata().getNamespace())
            .addToLabels(MANAGED_BY, OPERATOR)
            .addToLabels(MIGRATION_LABEL, migration.getMetadata().getName())
            .addToLabels(ROLE_LABEL, role)
            .addToLabels(APP_LABEL, migration.getSpec().app);
    if (owned) {
      meta.withOwnerReferences(owner(migration));
    }
    return meta.build();
  }

  static OwnerReference owner(Migration migration) {
    return new OwnerReferenceBuilder()
        .withApiVersion(migration.getApiVersion())
        .withKind(migration.getKind())
        .withName(migration.getMetadata().getName())
        .withUid(migration.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * A Job of {@code role} for {@code migration}, running {@code image}.
   *
   * @param owned false for the finish Job made while the Migration is being deleted: the garbage
   *     collector must not take it away with its owner before it has finished
   */
  public static Job job(Migration migration, Role role, String image, boolean owned) {
    String runId = migration.getMetadata().getUid();
    List<String> args =
        switch (role) {
          case PLAN -> List.of("operator", "plan-summary", "--summary-file", TERMINATION_LOG);
          case RUN -> List.of("run", "--run-id", runId, "--result", "outcome=" + TERMINATION_LOG);
          case FINISH ->
              List.of("finish", "--run-id", runId, "--result", "outcome=" + TERMINATION_LOG);
        };
    MigrationSpec spec = migration.getSpec();
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(configMapName(migration))
            .endConfigMap()
            .build());
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("config", CONFIG_DIR));
    List<Container> init = new ArrayList<>();
    if (role != Role.FINISH && usesMigrationsFolder(spec.migrations)) {
      volumes.add(
          new VolumeBuilder().withName("migrations").withNewEmptyDir().endEmptyDir().build());
      mounts.add(mount("migrations", MIGRATIONS_DIR));
      String from = spec.migrations.path == null ? MIGRATIONS_DIR : spec.migrations.path;
      String copier = spec.migrations.image;
      List<VolumeMount> copyMounts = new ArrayList<>();
      copyMounts.add(mount("migrations", "/copied-migrations"));
      if (spec.migrations.configMap != null) {
        volumes.add(
            new VolumeBuilder()
                .withName("configmap-migrations")
                .withNewConfigMap()
                .withName(spec.migrations.configMap)
                .endConfigMap()
                .build());
        copyMounts.add(mount("configmap-migrations", CONFIGMAP_MIGRATIONS_DIR));
        from = CONFIGMAP_MIGRATIONS_DIR;
        copier = image;
      }
      // the image has no shell or cp: the copy is Pitstop's own, as in the shipped pipelines
      init.add(
          container("copy-migrations", copier)
              .withArgs("copy-migrations", "--from", from, "--to", "/copied-migrations")
              .withVolumeMounts(copyMounts)
              .build());
    }
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("PITSTOP_CONFIG").withValue(CONFIG_FILE).build());
    env.add(
        new EnvVarBuilder()
            .withName("PITSTOP_DB_PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(spec.database.passwordSecretRef.name)
            .withKey(spec.database.passwordSecretRef.key)
            .endSecretKeyRef()
            .endValueFrom()
            .build());
    env.add(
        new EnvVarBuilder()
            .withName("PITSTOP_HOLDER")
            .withValue("migration/" + migration.getMetadata().getName())
            .build());
    Container main =
        container(CONTAINER, image)
            .withArgs(args)
            .withEnv(env)
            .withVolumeMounts(mounts)
            .withTerminationMessagePolicy("File")
            .build();
    return new JobBuilder()
        .withMetadata(metadata(migration, jobName(migration, role), role.label(), owned))
        .withNewSpec()
        .withBackoffLimit(role == Role.PLAN ? 2 : 3)
        .withTtlSecondsAfterFinished(owned ? null : 86_400)
        .withNewPodFailurePolicy()
        .addNewRule()
        .withAction("FailJob")
        .withNewOnExitCodes()
        .withContainerName(CONTAINER)
        .withOperator("In")
        .withValues(FINAL_EXIT_CODES)
        .endOnExitCodes()
        .endRule()
        .addNewRule()
        .withAction("Ignore")
        .addNewOnPodCondition()
        .withType("DisruptionTarget")
        .withStatus("True")
        .endOnPodCondition()
        .endRule()
        .endPodFailurePolicy()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(MANAGED_BY, OPERATOR)
        .addToLabels(MIGRATION_LABEL, migration.getMetadata().getName())
        .addToLabels(ROLE_LABEL, role.label())
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(
            spec.serviceAccountName == null ? "pitstop" : spec.serviceAccountName)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withInitContainers(init)
        .withContainers(main)
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static boolean usesMigrationsFolder(MigrationSpec.Migrations migrations) {
    return migrations.locations == null || migrations.locations.isEmpty();
  }

  private static ContainerBuilder container(String name, String image) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext();
  }

  private static VolumeMount mount(String name, String path) {
    return new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .build();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
