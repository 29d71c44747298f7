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
    for (String part : selectorTerms(text)) {
      String term = part.trim();
      String key;
      String value;
      java.util.regex.Matcher in = SET_TERM.matcher(term);
      int eq = term.indexOf('=');
      if (in.matches()) {
        // kubectl's `app in (web)`: one value is the same as app=web
        key = in.group(1);
        String[] values = in.group(2).split(",", -1);
        if (values.length != 1) {
          throw PitstopException.usage(
              option
                  + " '"
                  + text
                  + "': '"
                  + term
                  + "' names several values; Pitstop matches one value per label: write"
                  + " "
                  + key
                  + "="
                  + values[0].trim());
        }
        value = values[0].trim();
      } else if (eq > 0 && !term.startsWith("!") && term.charAt(eq - 1) != '!') {
        key = term.substring(0, eq).trim();
        // kubectl also accepts `==` for equality
        value = term.substring(term.startsWith("=", eq + 1) ? eq + 2 : eq + 1).trim();
      } else {
        throw PitstopException.usage(
            option
                + " '"
                + text
                + "' is malformed at '"
                + term
                + "': only equality is supported, write it like app=shop,tier=web");
      }
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

  private static final Pattern SET_TERM =
      Pattern.compile("^\\s*([^\\s!=(),]+)\\s+in\\s*\\(([^()]*)\\)\\s*$");

  /** The comma-separated terms of a selector; commas inside {@code in (...)} do not split. */
  private static java.util.List<String> selectorTerms(String text) {
    java.util.List<String> terms = new java.util.ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        terms.add(text.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(text.substring(start));
    return terms;
  }
}
