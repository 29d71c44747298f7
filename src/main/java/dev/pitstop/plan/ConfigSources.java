package dev.pitstop.plan;

import dev.pitstop.kube.Survey;
import dev.pitstop.kube.Survey.Lookup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The ConfigMaps and Secrets that pod templates take settings from, read once each. ConfigMap
 * values are read; a Secret's only when the user allowed it ({@code --read-secrets}), otherwise the
 * reference alone is known. What could not be read is reported once, with the reason.
 */
final class ConfigSources {
  /** The keys and values of an object, or why they are not known. */
  record Data(Map<String, String> values, String unreadBecause) {
    boolean read() {
      return unreadBecause == null;
    }
  }

  static final String SECRETS_NOT_READ =
      "Secret values are not read without --read-secrets; the reference alone counts";

  private final Survey survey;
  private final boolean readSecrets;
  private final BiConsumer<String, String> unknown;
  private final Map<String, Data> configMaps = new ConcurrentHashMap<>();
  private final Map<String, Data> secrets = new ConcurrentHashMap<>();

  /**
   * @param unknown receives (what, why) for each object that could not be read
   */
  ConfigSources(Survey survey, boolean readSecrets, BiConsumer<String, String> unknown) {
    this.survey = survey;
    this.readSecrets = readSecrets;
    this.unknown = unknown;
  }

  Data configMap(String name) {
    return configMaps.computeIfAbsent(name, n -> read(Survey.CONFIGMAPS, n, false));
  }

  Data secret(String name) {
    if (!readSecrets) {
      return new Data(Map.of(), SECRETS_NOT_READ);
    }
    return secrets.computeIfAbsent(name, n -> read(Survey.SECRETS, n, true));
  }

  private Data read(
      io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind,
      String name,
      boolean base64) {
    Lookup lookup = survey.get(kind, survey.cluster().namespace(), name);
    String what = (base64 ? "secret/" : "configmap/") + name;
    if (!lookup.read()) {
      unknown.accept(what, lookup.reason());
      return new Data(Map.of(), lookup.reason());
    }
    Optional<GenericKubernetesResource> object = lookup.object();
    if (object.isEmpty()) {
      return new Data(Map.of(), what + " does not exist");
    }
    // the API server returns data keys sorted; so does this, whatever order a test double keeps
    Map<String, String> values = new TreeMap<>();
    if (object.get().getAdditionalProperties().get("data") instanceof Map<?, ?> data) {
      data.forEach(
          (key, value) -> {
            if (value instanceof String text) {
              values.put(String.valueOf(key), base64 ? decode(text) : text);
            }
          });
    }
    if (base64 && object.get().getAdditionalProperties().get("stringData") instanceof Map<?, ?> s) {
      s.forEach((key, value) -> values.put(String.valueOf(key), String.valueOf(value)));
    }
    return new Data(values, null);
  }

  private static String decode(String text) {
    try {
      return new String(Base64.getDecoder().decode(text.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
