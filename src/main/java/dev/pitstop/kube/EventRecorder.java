package dev.pitstop.kube;

import dev.pitstop.core.Progress;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * Posts a Kubernetes Event on every object a step changes, so {@code kubectl describe} and {@code
 * kubectl get events} show what Pitstop did and for which run.
 */
public final class EventRecorder {
  private final KubernetesClient client;
  private final String namespace;
  private final String runId;
  private final Progress progress;

  public EventRecorder(KubernetesClient client, String namespace, String runId, Progress progress) {
    this.client = client;
    this.namespace = namespace;
    this.runId = runId;
    this.progress = progress;
  }

  /**
   * Posts a Normal event. An event that cannot be posted is a warning, not a failure: the change it
   * describes has already happened and is in the run record.
   */
  public void changed(HasMetadata object, String reason, String message) {
    String now = Instant.now().toString();
    String objectName = object.getMetadata().getName();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(objectName + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "pitstop")
            .addToAnnotations("pitstop.dev/run-id", runId)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withName(objectName)
            .withNamespace(namespace)
            .withUid(object.getMetadata().getUid())
            .withResourceVersion(object.getMetadata().getResourceVersion())
            .endInvolvedObject()
            .withReason(reason)
            .withMessage(message + " (pitstop run " + runId + ")")
            .withType("Normal")
            .withNewSource()
            .withComponent("pitstop")
            .endSource()
            .withReportingComponent("pitstop")
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (RuntimeException e) {
      progress.warn(
          "could not post an event on "
              + object.getKind().toLowerCase(Locale.ROOT)
              + "/"
              + objectName
              + ": "
              + e.getMessage());
    }
  }
}
