package dev.pitstop.cli;

import dev.pitstop.kube.HttpSelectors;
import dev.pitstop.kube.KubeClients;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.UnaryOperator;

/** The {@code pitstop} executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    OutOfMemory.install();
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CliEnvironment environment =
        new CliEnvironment(
            System.getenv(),
            out,
            err,
            access ->
                KubeClients.fromEnvironment(
                    access.deadline(), access.kubeconfig(), access.context()),
            Clock.systemUTC(),
            UnaryOperator.identity());
    dev.pitstop.core.Signals.install(Thread.currentThread(), err);
    int code;
    try {
      code = PitstopCli.execute(environment, args);
    } catch (OutOfMemoryError e) {
      OutOfMemory.halt();
      return;
    }
    out.flush();
    err.flush();
    // the command closed its client; without this the JVM's exit waits 0.3 s for the idle selector
    HttpSelectors.stop();
    System.exit(code);
  }
}
