package dev.pitstop.cli;

import dev.pitstop.core.Json;
import dev.pitstop.operator.PlanSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "plan-summary",
    hidden = true,
    description =
        "The operator's plan Job: pitstop plan -o json (options from PITSTOP_CONFIG), its summary to --summary-file.",
    footer = {
      "%nThe plan's JSON goes to stdout, a summary small enough for a termination message to"
          + " --summary-file. Exit codes are plan's.",
      "%nExample:%n  PITSTOP_CONFIG=/etc/pitstop/pitstop.yaml pitstop operator plan-summary"
    })
final class PlanSummaryCommand implements Callable<Integer> {
  @Mixin HelpOption help;

  @Option(
      names = "--summary-file",
      paramLabel = "FILE",
      defaultValue = "/dev/termination-log",
      description = "Where the summary goes. Default: ${DEFAULT-VALUE}.")
  Path summaryFile;

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws IOException {
    StringWriter json = new StringWriter();
    CliEnvironment captured =
        new CliEnvironment(
            environment.env(),
            new PrintWriter(json),
            environment.err(),
            environment.kubernetes(),
            environment.clock(),
            environment.connections());
    int code = PitstopCli.execute(captured, "plan", "-o", "json");
    String text = json.toString().trim();
    PlanSummary summary;
    try {
      String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
      Object parsed = Json.read(last);
      summary = PlanSummary.fromPlan((Map<String, Object>) parsed);
    } catch (RuntimeException e) {
      summary = PlanSummary.fromPlan(Map.of("exit-code", code, "error", "plan printed no result"));
    }
    Files.writeString(summaryFile, summary.toMessage(), StandardCharsets.UTF_8);
    PrintWriter out = environment.out();
    out.println(text);
    out.flush();
    return code == 5 && summary.runnable() ? 0 : code;
  }
}
