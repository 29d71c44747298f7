package dev.pitstop.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * What users see while maintenance is on: an HTML page (built in, or the operator's own) and the
 * same facts as JSON for API clients, both rendered once.
 */
public final class MaintenancePage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long retryAfterSeconds;
  private final byte[] html;
  private final byte[] json;
  private final boolean builtIn;

  private MaintenancePage(long retryAfterSeconds, byte[] html, byte[] json, boolean builtIn) {
    this.retryAfterSeconds = retryAfterSeconds;
    this.html = html;
    this.json = json;
    this.builtIn = builtIn;
  }

  /** The built-in page. */
  public static MaintenancePage builtIn(String title, String message, Duration retryAfter) {
    long seconds = retryAfter.toSeconds();
    return new MaintenancePage(
        seconds,
        builtInHtml(title, message, seconds).getBytes(StandardCharsets.UTF_8),
        json(title, message, seconds),
        true);
  }

  /** The operator's own HTML, served as it is; JSON clients still get the title and message. */
  public static MaintenancePage custom(
      String html, String title, String message, Duration retryAfter) {
    long seconds = retryAfter.toSeconds();
    return new MaintenancePage(
        seconds, html.getBytes(StandardCharsets.UTF_8), json(title, message, seconds), false);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public byte[] html() {
    return html.clone();
  }

  byte[] htmlBytes() {
    return html;
  }

  byte[] jsonBytes() {
    return json;
  }

  /**
   * The built-in page loads nothing from elsewhere, so it can forbid everything but its own inline
   * style; an operator's page may load images or styles and gets no such policy.
   */
  boolean isBuiltIn() {
    return builtIn;
  }

  private static byte[] json(String title, String message, long retryAfterSeconds) {
    ObjectNode body = JSON.createObjectNode();
    body.put("status", 503);
    body.put("error", "maintenance");
    body.put("title", title);
    body.put("message", message);
    body.put("retryAfterSeconds", retryAfterSeconds);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "about 5 minutes", for people; the header carries the exact seconds for programs. */
  static String humanDelay(long seconds) {
    if (seconds < 90) {
      return "a minute or so";
    }
    long minutes = Math.round(seconds / 60.0);
    if (minutes < 60) {
      return "about " + minutes + " minutes";
    }
    long hours = Math.round(minutes / 60.0);
    return hours == 1 ? "about an hour" : "about " + hours + " hours";
  }

  private static String builtInHtml(String title, String message, long retryAfterSeconds) {
    String escapedTitle = escape(title);
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>%s</title>
        <style>
          :root { color-scheme: light dark; }
          body { margin: 0; font: 1.125rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto,
                 "Helvetica Neue", Arial, sans-serif; background: #f6f7f9; color: #1d2330; }
          main { max-width: 36rem; margin: 12vh auto; padding: 2rem 1.5rem; }
          h1 { font-size: 1.875rem; line-height: 1.25; margin: 0 0 1rem; }
          p { margin: 0 0 1rem; }
          .hint { color: #3d4656; }
          @media (prefers-color-scheme: dark) {
            body { background: #15181e; color: #eef1f5; }
            .hint { color: #c3cad5; }
          }
        </style>
        </head>
        <body>
        <main>
        <h1>%s</h1>
        <p>%s</p>
        <p class="hint">Please try again in %s.</p>
        </main>
        </body>
        </html>
        """
        .formatted(escapedTitle, escapedTitle, escape(message), humanDelay(retryAfterSeconds));
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.appendCodePoint(c);
              }
            });
    return escaped.toString();
  }

  /**
   * Whether a request with this {@code Accept} header prefers JSON to HTML. Each type gets the
   * quality of the most specific range that matches it ({@code type/subtype} over {@code type/*}
   * over {@code * / *}); JSON wins with a higher quality, or with the same quality when it is named
   * more specifically than HTML. Browsers, {@code curl} and clients sending no header get the page.
   */
  public static boolean prefersJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    Preference json = preference(accept, "application", "json");
    Preference html = preference(accept, "text", "html");
    if (json.quality() != html.quality()) {
      return json.quality() > html.quality();
    }
    return json.quality() > 0 && json.specificity() > html.specificity();
  }

  /**
   * How much a client wants a type, and how specifically it named it: on equal quality a type named
   * outright ({@code application/json, *}{@code /*}, as axios sends) beats a wildcard match.
   */
  private record Preference(double quality, int specificity) {}

  private static Preference preference(String accept, String type, String subtype) {
    int bestSpecificity = 0;
    double bestQuality = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      int slash = media.indexOf('/');
      if (slash <= 0) {
        continue;
      }
      String rangeType = media.substring(0, slash);
      String rangeSubtype = media.substring(slash + 1);
      int specificity;
      if (rangeType.equals(type) && rangeSubtype.equals(subtype)) {
        specificity = 3;
      } else if (rangeType.equals(type) && rangeSubtype.equals("*")) {
        specificity = 2;
      } else if (rangeType.equals("*") && rangeSubtype.equals("*")) {
        specificity = 1;
      } else {
        continue;
      }
      if (specificity > bestSpecificity) {
        bestSpecificity = specificity;
        bestQuality = qualityParameter(parts);
      }
    }
    return new Preference(bestQuality, bestSpecificity);
  }

  private static double qualityParameter(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("q")) {
        try {
          double q = Double.parseDouble(parameter.substring(eq + 1).trim());
          return Math.max(0, Math.min(1, q));
        } catch (NumberFormatException e) {
          return 1;
        }
      }
    }
    return 1;
  }
}
