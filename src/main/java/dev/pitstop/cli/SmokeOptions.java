package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.http.HttpProbe;
import dev.pitstop.step.SmokeCheck;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** What the smoke test checks and how often. */
final class SmokeOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "An http(s) URL to GET, e.g. the Service's health endpoint. Repeatable.")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--expect-status",
      paramLabel = "CODE",
      defaultValue = "200",
      description = "The expected HTTP status. Default: ${DEFAULT-VALUE}.")
  int expectStatus;

  @Option(names = "--expect-body", paramLabel = "TEXT", description = "Text the body must contain.")
  String expectBody;

  @Option(
      names = "--expect-json",
      paramLabel = "POINTER=VALUE",
      description = "A JSON field the body must have, as a JSON pointer, e.g. /status=UP.")
  String expectJson;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description =
          "A request header, e.g. Authorization=Bearer... Repeatable; values never printed.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = CommonOptions.DurationConverter.class,
      description = "Pause between rounds of checks. Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = CommonOptions.DurationConverter.class,
      description = "Timeout of one request. Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(
      names = "--insecure",
      description = "Do not verify TLS certificates (only for self-signed test endpoints).")
  boolean insecure;

  HttpProbe probe() {
    return new HttpProbe(requestTimeout, insecure);
  }

  /** One check per URL, all with the same expectations; usage errors for anything malformed. */
  List<SmokeCheck> checks() {
    if (expectStatus < 100 || expectStatus > 599) {
      throw PitstopException.usage("--expect-status " + expectStatus + " is not an HTTP status");
    }
    if (interval.isZero()) {
      throw PitstopException.usage("--interval must be more than 0s");
    }
    if (requestTimeout.isZero()) {
      throw PitstopException.usage("--request-timeout must be more than 0s");
    }
    String pointer = null;
    String value = null;
    if (expectJson != null) {
      int eq = expectJson.indexOf('=');
      if (!expectJson.startsWith("/") || eq < 0) {
        throw PitstopException.usage(
            "--expect-json '"
                + expectJson
                + "' is malformed: write POINTER=VALUE, e.g. /status=UP");
      }
      pointer = expectJson.substring(0, eq);
      value = expectJson.substring(eq + 1);
    }
    Map<String, String> parsedHeaders = new LinkedHashMap<>();
    for (String header : headers) {
      int eq = header.indexOf('=');
      if (eq <= 0 || !header.substring(0, eq).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        String name = eq > 0 ? header.substring(0, eq) : "(no name)";
        throw PitstopException.usage(
            "--header " + name + " is malformed: write NAME=VALUE, e.g. Accept=application/json");
      }
      parsedHeaders.put(header.substring(0, eq), header.substring(eq + 1));
    }
    List<SmokeCheck> checks = new ArrayList<>();
    for (String url : urls) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw PitstopException.usage("--url '" + url + "' is not a URL");
      }
      if (uri.getScheme() == null
          || !Set.of("http", "https").contains(uri.getScheme())
          || uri.getHost() == null) {
        throw PitstopException.usage(
            "--url '" + url + "' must be an http:// or https:// URL with a host");
      }
      checks.add(new SmokeCheck(uri, expectStatus, expectBody, pointer, value, parsedHeaders));
    }
    return checks;
  }
}
