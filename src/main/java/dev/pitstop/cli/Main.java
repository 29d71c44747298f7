package dev.pitstop.cli;

import dev.pitstop.kube.KubeClients;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** The {@code pitstop} executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CliEnvironment environment =
        new CliEnvironment(
            System.getenv(), out, err, KubeClients::fromEnvironment, Clock.systemUTC());
    int code = PitstopCli.execute(environment, args);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
