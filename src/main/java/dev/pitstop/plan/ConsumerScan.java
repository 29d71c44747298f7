package dev.pitstop.plan;

import dev.pitstop.plan.ConfigSources.Data;
import dev.pitstop.plan.ConnectionStrings.HostPort;
import dev.pitstop.plan.ConnectionStrings.Reference;
import dev.pitstop.plan.ConnectionStrings.SettingKind;
import dev.pitstop.plan.Consumer.Certainty;
import dev.pitstop.plan.Consumer.SecretKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the workloads whose pod templates point at the database: environment variables (literal,
 * from ConfigMaps, from Secrets, {@code $(VAR)} references expanded as the kubelet does), {@code
 * envFrom} sources, and the ConfigMaps and Secrets mounted as files. Each hit is tagged with how
 * sure it is and the evidence, without any password.
 */
final class ConsumerScan {
  /** Pitstop's own settings in a pod (a pipeline step, say) are not an app's connection. */
  private static final String OWN_PREFIX = "PITSTOP_";

  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  /** One setting a container sees, and where it comes from. */
  private record Setting(
      String name,
      String value,
      String origin,
      String source,
      boolean inObject,
      String secret,
      String secretKey) {
    boolean known() {
      return value != null;
    }
  }

  private final DatabaseTarget target;
  private final ConfigSources sources;

  /**
   * @param target the database, or null when the plan has no JDBC URL: then every PostgreSQL
   *     reference is a possible one
   */
  ConsumerScan(DatabaseTarget target, ConfigSources sources) {
    this.target = target;
    this.sources = sources;
  }

  /**
   * Adds what each owner's pod template says about the database to {@code found}, keyed by the
   * owner's {@link PodOwner#key()}; owners without any evidence are left out.
   */
  void scan(List<PodOwner> owners, Map<String, Consumer.Builder> found) {
    for (PodOwner owner : owners) {
      Consumer.Builder consumer = new Consumer.Builder(owner);
      for (Map<String, Object> container : owner.containers()) {
        scanContainer(owner, container, consumer);
      }
      if (consumer.any()) {
        found.put(owner.key(), consumer);
      }
    }
  }

  private void scanContainer(
      PodOwner owner, Map<String, Object> container, Consumer.Builder consumer) {
    String containerName = String.valueOf(container.get("name"));
    String where = " (container " + containerName + ")";
    List<Setting> settings = settings(container);
    List<Setting> group = new ArrayList<>();
    for (Setting setting : settings) {
      if (setting.name().toUpperCase(Locale.ROOT).startsWith(OWN_PREFIX)) {
        continue;
      }
      SettingKind kind = ConnectionStrings.kindOf(setting.name(), setting.inObject());
      if (kind == SettingKind.PASSWORD && setting.secret() != null) {
        consumer.passwordFrom(new SecretKey(setting.secret(), setting.secretKey()));
      }
      if (!setting.known()) {
        unread(setting, kind, consumer, where);
        continue;
      }
      List<Reference> references = ConnectionStrings.find(setting.value());
      for (Reference reference : references) {
        Certainty certainty = judge(reference);
        if (certainty != null) {
          consumer.add(certainty, setting.origin() + " = " + reference.shown() + where);
        }
      }
      if (references.isEmpty()
          && (kind == SettingKind.HOST
              || kind == SettingKind.PORT
              || kind == SettingKind.DATABASE)) {
        group.add(setting);
      }
    }
    judgeGroup(group, consumer, where);
    for (Map<String, Object> mount : PodOwner.list(container.get("volumeMounts"))) {
      Map<String, Object> volume = owner.volumes().get(String.valueOf(mount.get("name")));
      if (volume != null) {
        scanVolume(volume, String.valueOf(mount.get("mountPath")), consumer, where);
      }
    }
  }

  /**
   * Each key of an {@code envFrom} source ({@code object}: configmap/NAME or secret/NAME) as a
   * variable named with the source's prefix; {@code secret} names the Secret, or null.
   */
  private static void fromSource(
      String prefix,
      String object,
      Data data,
      String secret,
      List<Setting> settings,
      Map<String, String> known) {
    data.values()
        .forEach(
            (key, value) -> {
              settings.add(
                  new Setting(
                      prefix + key,
                      value,
                      "envFrom " + object + " key " + key,
                      "envFrom " + object,
                      true,
                      secret,
                      secret == null ? null : key));
              known.put(prefix + key, value);
            });
  }

  /** The container's settings in the order the kubelet builds them: envFrom, then env. */
  private List<Setting> settings(Map<String, Object> container) {
    List<Setting> settings = new ArrayList<>();
    Map<String, String> known = new HashMap<>();
    for (Map<String, Object> source : PodOwner.list(container.get("envFrom"))) {
      String prefix = source.get("prefix") instanceof String p ? p : "";
      if (source.get("configMapRef") instanceof Map<?, ?> ref
          && ref.get("name") instanceof String n) {
        fromSource(prefix, "configmap/" + n, sources.configMap(n), null, settings, known);
      } else if (source.get("secretRef") instanceof Map<?, ?> ref
          && ref.get("name") instanceof String n) {
        Data data = sources.secret(n);
        if (!data.read()) {
          settings.add(
              new Setting("*", null, "envFrom secret/" + n, "envFrom secret/" + n, true, n, null));
        }
        fromSource(prefix, "secret/" + n, data, n, settings, known);
      }
    }
    for (Map<String, Object> env : PodOwner.list(container.get("env"))) {
      if (!(env.get("name") instanceof String name)) {
        continue;
      }
      if (env.get("value") instanceof String value) {
        String expanded = expand(value, known);
        settings.add(new Setting(name, expanded, "env " + name, "env", false, null, null));
        known.put(name, expanded);
      } else if (env.get("valueFrom") instanceof Map<?, ?> from) {
        if (from.get("configMapKeyRef") instanceof Map<?, ?> ref
            && ref.get("name") instanceof String n
            && ref.get("key") instanceof String key) {
          String value = sources.configMap(n).values().get(key);
          String origin = "env " + name + " from configmap/" + n + " key " + key;
          settings.add(new Setting(name, value, origin, "env", false, null, null));
          if (value != null) {
            known.put(name, value);
          }
        } else if (from.get("secretKeyRef") instanceof Map<?, ?> ref
            && ref.get("name") instanceof String n
            && ref.get("key") instanceof String key) {
          Data data = sources.secret(n);
          String value = data.values().get(key);
          String origin = "env " + name + " from secret/" + n + " key " + key;
          settings.add(new Setting(name, value, origin, "env", false, n, key));
          if (value != null) {
            known.put(name, value);
          }
        }
      }
    }
    return settings;
  }

  /** {@code $(VAR)} replaced by the value of a variable defined before it, as the kubelet does. */
  static String expand(String value, Map<String, String> known) {
    if (!value.contains("$(")) {
      return value;
    }
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      boolean escaped = m.start() > 0 && value.charAt(m.start() - 1) == '$';
      out.append(value, last, escaped ? m.start() - 1 : m.start());
      String replacement = escaped ? m.group() : known.get(m.group(1));
      out.append(replacement == null ? m.group() : replacement);
      last = m.end();
    }
    out.append(value.substring(last));
    return out.toString();
  }

  private void scanVolume(
      Map<String, Object> volume, String mountPath, Consumer.Builder consumer, String where) {
    List<String[]> objects = new ArrayList<>();
    if (volume.get("configMap") instanceof Map<?, ?> cm && cm.get("name") instanceof String n) {
      objects.add(new String[] {"configmap", n});
    }
    if (volume.get("secret") instanceof Map<?, ?> s && s.get("secretName") instanceof String n) {
      objects.add(new String[] {"secret", n});
    }
    if (volume.get("projected") instanceof Map<?, ?> projected) {
      for (Map<String, Object> source : PodOwner.list(projected.get("sources"))) {
        if (source.get("configMap") instanceof Map<?, ?> cm && cm.get("name") instanceof String n) {
          objects.add(new String[] {"configmap", n});
        }
        if (source.get("secret") instanceof Map<?, ?> s && s.get("name") instanceof String n) {
          objects.add(new String[] {"secret", n});
        }
      }
    }
    for (String[] object : objects) {
      boolean secret = object[0].equals("secret");
      Data data = secret ? sources.secret(object[1]) : sources.configMap(object[1]);
      String origin = "file from " + object[0] + "/" + object[1] + " at " + mountPath;
      if (!data.read() && secret) {
        unread(
            new Setting("*", null, origin, origin, true, object[1], null),
            SettingKind.OTHER,
            consumer,
            where);
      }
      data.values()
          .forEach((key, content) -> scanFile(origin + " key " + key, content, consumer, where));
    }
  }

  /** A configuration file: its URLs, and its {@code key=value} or {@code key: value} lines. */
  private void scanFile(String origin, String content, Consumer.Builder consumer, String where) {
    for (Reference reference : ConnectionStrings.find(content)) {
      Certainty certainty = judge(reference);
      if (certainty != null) {
        consumer.add(certainty, origin + ": " + reference.shown() + where);
      }
    }
    List<Setting> group = new ArrayList<>();
    for (String line : ConnectionStrings.activeLines(content)) {
      Matcher m = Pattern.compile("^\\s*([A-Za-z0-9_.-]+)\\s*[=:]\\s*(.+?)\\s*$").matcher(line);
      if (!m.matches() || m.group(2).contains("://")) {
        continue;
      }
      String key = m.group(1);
      String last = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
      String value = m.group(2).replaceAll("^[\"']|[\"']$", "");
      SettingKind kind = ConnectionStrings.kindOf(last, true);
      if (kind == SettingKind.HOST || kind == SettingKind.PORT || kind == SettingKind.DATABASE) {
        group.add(new Setting(last, value, origin + " " + key, origin, true, null, null));
      }
    }
    judgeGroup(group, consumer, where);
  }

  /** A Secret that was not read: it counts as evidence only by its name or the variable's. */
  private void unread(Setting setting, SettingKind kind, Consumer.Builder consumer, String where) {
    if (setting.secret() == null) {
      return;
    }
    boolean whole = setting.name().equals("*");
    boolean aboutDatabase =
        whole
            ? ConnectionStrings.mentionsDatabase(setting.secret().replace('-', '_'))
            : (kind == SettingKind.URL || kind == SettingKind.HOST || kind == SettingKind.DATABASE)
                && (ConnectionStrings.mentionsDatabase(setting.name())
                    || ConnectionStrings.mentionsDatabase(setting.secret().replace('-', '_'))
                    || isOperatorKey(setting.secretKey()));
    if (target != null && target.isOperatorSecret(setting.secret()) && (whole || aboutDatabase)) {
      consumer.add(
          Certainty.LIKELY,
          setting.origin()
              + ": a Secret the PostgreSQL operator made for this database's cluster "
              + target.operatorCluster().orElseThrow()
              + "; its values were not read"
              + where);
    } else if (aboutDatabase) {
      consumer.add(
          Certainty.POSSIBLE,
          setting.origin()
              + ": database settings whose values were not read (--read-secrets reads them)"
              + where);
    }
  }

  private static boolean isOperatorKey(String key) {
    return key != null
        && List.of(
                "uri", "jdbc-uri", "host", "dbname", "fqdn-uri", "fqdn-jdbc-uri", "pgbouncer-uri")
            .contains(key);
  }

  /** How sure a URL makes the plan, or null when it names another database. */
  private Certainty judge(Reference reference) {
    if (reference.hosts().isEmpty()) {
      return null;
    }
    if (target == null) {
      return Certainty.POSSIBLE;
    }
    boolean sameServer = false;
    boolean placeholder = false;
    for (HostPort host : reference.hosts()) {
      sameServer |= target.sameServer(host.host(), host.port());
      placeholder |= host.host().contains("$(") || host.host().contains("${");
    }
    if (sameServer) {
      if (reference.database() == null) {
        return Certainty.LIKELY;
      }
      return reference.database().equals(target.database()) ? Certainty.CERTAIN : null;
    }
    if (placeholder
        && target.database() != null
        && target.database().equals(reference.database())) {
      return Certainty.POSSIBLE;
    }
    return null;
  }

  /** Host, port and database given as separate settings ({@code PGHOST}, {@code DB_PORT}, …). */
  private void judgeGroup(List<Setting> group, Consumer.Builder consumer, String where) {
    List<Setting> hosts = ofKind(group, SettingKind.HOST);
    if (hosts.isEmpty()) {
      return;
    }
    List<Integer> ports = new ArrayList<>();
    ofKind(group, SettingKind.PORT)
        .forEach(
            p -> {
              Integer port = ConnectionStrings.port(p.value());
              if (port != null) {
                ports.add(port);
              }
            });
    List<String> databases =
        ofKind(group, SettingKind.DATABASE).stream().map(Setting::value).toList();
    String shown = describe(group);
    if (target == null) {
      consumer.add(Certainty.POSSIBLE, shown + where);
      return;
    }
    boolean sameServer = false;
    for (Setting host : hosts) {
      for (String h : host.value().split(",")) {
        if (ports.isEmpty()) {
          sameServer |= target.sameServer(h.strip(), null);
        } else {
          for (Integer port : ports) {
            sameServer |= target.sameServer(h.strip(), port);
          }
        }
      }
    }
    if (!sameServer) {
      return;
    }
    if (databases.isEmpty()) {
      consumer.add(Certainty.LIKELY, shown + " (no database name given)" + where);
    } else if (databases.contains(target.database())) {
      consumer.add(Certainty.CERTAIN, shown + where);
    }
  }

  private static List<Setting> ofKind(List<Setting> group, SettingKind kind) {
    return group.stream()
        .filter(s -> ConnectionStrings.kindOf(s.name(), s.inObject()) == kind)
        .toList();
  }

  private static String describe(List<Setting> group) {
    Map<String, List<String>> byOrigin = new LinkedHashMap<>();
    // host, port, then database within each source: how people read a connection
    List<Setting> ordered =
        group.stream()
            .sorted(
                Comparator.comparing(
                    (Setting s) -> ConnectionStrings.kindOf(s.name(), s.inObject())))
            .toList();
    for (Setting s : ordered) {
      byOrigin.computeIfAbsent(s.source(), k -> new ArrayList<>()).add(s.name() + "=" + s.value());
    }
    List<String> parts = new ArrayList<>();
    byOrigin.forEach((origin, values) -> parts.add(origin + ": " + String.join(", ", values)));
    return String.join("; ", parts);
  }
}
