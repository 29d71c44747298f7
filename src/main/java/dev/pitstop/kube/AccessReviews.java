package dev.pitstop.kube;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Asks the API server whether the identity Pitstop runs as may do something, with
 * SelfSubjectAccessReviews. A review is a question, not a change: the API server answers it and
 * stores nothing, and Kubernetes lets every authenticated identity ask about itself.
 */
public final class AccessReviews {
  /** One right: a verb on a resource (written as in a Role) in a namespace. */
  public record Right(String namespace, String group, String resource, String verb) {
    /** {@code update deployments.apps in shop}. */
    public String describe() {
      return verb
          + " "
          + resource
          + (group.isEmpty() ? "" : "." + group)
          + " in namespace "
          + namespace;
    }
  }

  /** The API server's answer. */
  public enum Decision {
    ALLOWED,
    DENIED,
    /** No answer could be had, e.g. the review itself was refused. */
    UNKNOWN
  }

  /** The answer to one right, and why when the server gave a reason or none could be had. */
  public record Answer(Right right, Decision decision, String reason) {}

  private final Cluster cluster;

  public AccessReviews(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Asks about every right, several at a time, and answers in the same order. */
  public List<Answer> review(List<Right> rights) {
    return cluster.forEachConcurrently(rights, this::review);
  }

  private Answer review(Right right) {
    SelfSubjectAccessReview question =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withNamespace(right.namespace())
            .withGroup(right.group())
            .withResource(right.resource())
            .withVerb(right.verb())
            .endResourceAttributes()
            .endSpec()
            .build();
    return cluster.call(
        "review " + right.describe(),
        () -> {
          try {
            SelfSubjectAccessReview answer =
                cluster.client().authorization().v1().selfSubjectAccessReview().create(question);
            if (answer == null || answer.getStatus() == null) {
              return new Answer(right, Decision.UNKNOWN, "the API server gave no decision");
            }
            if (Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
              return new Answer(right, Decision.ALLOWED, null);
            }
            String reason = answer.getStatus().getReason();
            return new Answer(
                right, Decision.DENIED, reason == null || reason.isBlank() ? null : reason.strip());
          } catch (KubernetesClientException e) {
            // refused or not understood (an old or restricted API server): no answer, and the
            // rest of the reviews still count; a 409 or 429 is retried like any other request
            if (e.getCode() >= 400
                && e.getCode() < 500
                && e.getCode() != 409
                && e.getCode() != 429) {
              return new Answer(
                  right,
                  Decision.UNKNOWN,
                  "the access review was refused ("
                      + e.getCode()
                      + "): "
                      + (e.getStatus() != null && e.getStatus().getMessage() != null
                          ? e.getStatus().getMessage()
                          : "no message"));
            }
            throw e;
          }
        });
  }
}
