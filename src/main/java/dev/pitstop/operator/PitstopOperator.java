package dev.pitstop.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator: one reconciler of Migrations, active only in the replica that holds the lease
 * {@value #LEASE} (the others wait to take over). Nothing of a run lives in this process, so a
 * replica may die at any moment: the one that takes over reads the Jobs and the run record.
 */
public final class PitstopOperator implements AutoCloseable {
  public static final String LEASE = "pitstop-operator";

  /**
   * How this replica runs.
   *
   * @param identity this replica's name in the lease (the pod's name)
   * @param leaseNamespace where the lease is (the operator's namespace)
   * @param image the Pitstop image of the Jobs, unless a Migration names one
   * @param lease how long a lease holds without renewal; a dead leader is replaced after it
   * @param exitOnLostLease end the process when the lease is lost, so a replica that was cut off
   *     never acts on what it believed before (production); tests keep their JVM
   */
  public record Settings(
      String identity,
      String leaseNamespace,
      String image,
      Duration lease,
      boolean exitOnLostLease) {
    public static Settings production(String identity, String leaseNamespace, String image) {
      return new Settings(identity, leaseNamespace, image, Duration.ofSeconds(15), true);
    }
  }

  private final Operator operator;

  public PitstopOperator(KubernetesClient client, Settings settings, Clock clock) {
    Duration lease = settings.lease();
    operator =
        new Operator(
            overrider ->
                overrider
                    .withKubernetesClient(client)
                    .withCloseClientOnStop(true)
                    // the finalizer goes on by a JSON patch (any API server takes one); status is
                    // written by the reconciler itself, with the resourceVersion it read
                    .withUseSSAToPatchPrimaryResource(false)
                    .withLeaderElectionConfiguration(leaderElection(settings, lease)));
    operator.register(new MigrationReconciler(settings.image(), clock));
  }

  private static io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration leaderElection(
      Settings settings, Duration lease) {
    LeaderElectionConfigurationBuilder builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE)
            .withLeaseNamespace(settings.leaseNamespace())
            .withIdentity(settings.identity())
            .withLeaseDuration(lease)
            .withRenewDeadline(lease.multipliedBy(2).dividedBy(3))
            .withRetryPeriod(lease.dividedBy(5));
    // a production replica that lost its lease exits (the SDK's default); tests keep their JVM
    return settings.exitOnLostLease() ? builder.build() : builder.buildForTest(false);
  }

  /** Starts watching; reconciles once this replica holds the lease. */
  public PitstopOperator start() {
    operator.start();
    return this;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
