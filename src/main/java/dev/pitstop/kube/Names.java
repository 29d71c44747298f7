package dev.pitstop.kube;

import dev.pitstop.core.PitstopException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Validation of the names and selectors users type, so typos fail before anything changes. */
public final class Names {
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LABEL_NAME =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern CONFIGMAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

  private Names() {}

  /** An object name such as a Deployment's (DNS-1123 subdomain, at most 253 characters). */
  public static String objectName(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw PitstopException.usage(what + " is empty: give the name of an existing object");
    }
    if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw PitstopException.usage(
          what
              + " '"
              + name
              + "' is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.'");
    }
    return name;
  }

  /** A name that must be a DNS-1123 label (namespace, Service), at most 63 characters. */
  public static String label(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw PitstopException.usage(what + " is empty");
    }
    if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
      throw PitstopException.usage(
          what
              + " '"
              + name
              + "' is not a valid name: at most 63 lower-case letters, digits and '-'");
    }
    return name;
  }

  /**
   * The app name: it becomes the ConfigMap {@code pitstop-<app>}, so it must leave room for the
   * prefix.
   */
  public static String app(String app) {
    if (app == null || app.isEmpty()) {
      throw PitstopException.usage("missing --app: name the application this run is about");
    }
    if (app.length() > 63 - "pitstop-".length() || !DNS_LABEL.matcher(app).matches()) {
      throw PitstopException.usage(
          "--app '"
              + app
              + "' is not valid: at most 55 lower-case letters, digits and '-', starting and"
              + " ending with a letter or digit");
    }
    return app;
  }

  public static String configMapKey(String key) {
    if (key == null
        || key.isEmpty()
        || key.length() > 253
        || !CONFIGMAP_KEY.matcher(key).matches()) {
      throw PitstopException.usage(
          "--key '"
              + key
              + "' is not a valid ConfigMap key: use letters, digits, '-', '_' and '.'");
    }
    return key;
  }

  /**
   * An equality selector such as {@code app=shop,tier=web}: the form Services and {@code
   * --selector} accept.
   */
  public static Map<String, String> selector(String option, String text) {
    if (text == null || text.isBlank()) {
      throw PitstopException.usage(option + " is empty: write it like app=shop,tier=web");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String part : text.split(",", -1)) {
      String pair = part.trim();
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.startsWith("!") || pair.contains("==") || pair.contains("!=")) {
        throw PitstopException.usage(
            option
                + " '"
                + text
                + "' is malformed at '"
                + pair
                + "': write it like app=shop,tier=web");
      }
      String key = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (!LABEL_NAME.matcher(key).matches() || key.length() > 316) {
        throw PitstopException.usage(option + ": '" + key + "' is not a valid label key");
      }
      if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
        throw PitstopException.usage(option + ": '" + value + "' is not a valid label value");
      }
      if (labels.put(key, value) != null) {
        throw PitstopException.usage(option + ": label '" + key + "' is given twice");
      }
    }
    return labels;
  }
}
