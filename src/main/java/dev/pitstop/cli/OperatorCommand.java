package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.operator.PitstopOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "operator",
    description =
        "Run the operator: post a Migration (kubectl get psm) and it is planned, approved, run in a Job and reported.",
    subcommands = {PlanSummaryCommand.class},
    footer = {
      "%nRuns until SIGTERM. Replicas share the lease pitstop-operator in --lease-namespace; one"
          + " reconciles, the others take over when it is gone. The procedure runs in a Job per"
          + " Migration (pitstop run), never in the operator, which never reads a Secret.",
      "%nInstall: kubectl apply -k operator/ (the CRD, RBAC and this Deployment).",
      "%nExample:%n  pitstop operator --lease-namespace pitstop-system"
    })
final class OperatorCommand implements Callable<Integer> {
  @Mixin HelpOption help;

  @Option(
      names = "--lease-namespace",
      paramLabel = "NAMESPACE",
      description =
          "Namespace of the leader-election lease. Default: POD_NAMESPACE, else the client's"
              + " namespace.")
  String leaseNamespace;

  @Option(
      names = "--identity",
      paramLabel = "NAME",
      description = "This replica's name in the lease. Default: POD_NAME, else the host name.")
  String identity;

  @Option(
      names = "--job-image",
      paramLabel = "IMAGE",
      description =
          "The Pitstop image the Jobs run, unless a Migration names one. Default: this build's"
              + " image, ghcr.io/pitstop-dev/pitstop:VERSION.")
  String jobImage;

  @Mixin KubeconfigOptions cluster;

  static final String DEFAULT_IMAGE =
      "ghcr.io/pitstop-dev/pitstop:"
          + Optional.ofNullable(OperatorCommand.class.getPackage().getImplementationVersion())
              .orElse("0.1.0");

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (jobImage != null && jobImage.isBlank()) {
      throw PitstopException.usage("--job-image must name an image");
    }
    // requests are bounded per request (10 s connect, 30 s each), not by a step's deadline
    KubernetesClient client;
    try (KubernetesClient configured =
        environment.kubernetes().apply(cluster.access(Duration.ofDays(1)))) {
      // the full model: the operator reads Jobs, pods and its own kind typed
      client = new KubernetesClientBuilder().withConfig(configured.getConfiguration()).build();
    }
    String namespace =
        firstGiven(
            leaseNamespace,
            environment.env().get("POD_NAMESPACE"),
            client.getNamespace(),
            "default");
    String name =
        firstGiven(identity, environment.env().get("POD_NAME"), hostName(), "pitstop-operator");
    String image = firstGiven(jobImage, DEFAULT_IMAGE);
    CountDownLatch stopped = new CountDownLatch(1);
    try (PitstopOperator operator =
        new PitstopOperator(
            client,
            PitstopOperator.Settings.production(name, namespace, image),
            environment.clock())) {
      operator.start();
      environment
          .err()
          .println(
              "pitstop operator "
                  + name
                  + ": watching Migrations (pitstop.dev/v1alpha1) in every namespace; lease "
                  + PitstopOperator.LEASE
                  + " in namespace "
                  + namespace
                  + "; Jobs run "
                  + image);
      environment.err().flush();
      stopped.await();
    } catch (InterruptedException e) {
      // SIGTERM or SIGINT: the operator stops; runs go on in their Jobs
      environment
          .err()
          .println("pitstop operator " + name + ": stopping; runs go on in their Jobs");
      environment.err().flush();
    }
    return 0;
  }

  private static String firstGiven(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
