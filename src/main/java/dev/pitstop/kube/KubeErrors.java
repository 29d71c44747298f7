package dev.pitstop.kube;

import dev.pitstop.core.ExitCode;
import dev.pitstop.core.PitstopException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;

/** Sorts Kubernetes API failures into the exit-code contract. */
public final class KubeErrors {
  private KubeErrors() {}

  public static PitstopException classify(Exception e) {
    if (e instanceof PitstopException pitstop) {
      return pitstop;
    }
    if (e instanceof KubernetesClientTimeoutException) {
      return PitstopException.transientFailure("the Kubernetes API did not answer in time", e);
    }
    if (e instanceof KubernetesClientException k8s) {
      int code = k8s.getCode();
      String reason = shortReason(k8s);
      if (hasCause(k8s, HttpTimeoutException.class)
          && !hasCause(k8s, HttpConnectTimeoutException.class)) {
        return PitstopException.transientFailure(
            "the Kubernetes API accepted the request but did not answer in time", e);
      }
      if (code == 0 || hasCause(k8s, IOException.class)) {
        return PitstopException.transientFailure("the Kubernetes API is unreachable: " + reason, e);
      }
      if (code == 409) {
        return PitstopException.transientFailure("conflicting update (409): " + reason, e);
      }
      if (code == 429 || code >= 500) {
        return PitstopException.transientFailure(
            "the Kubernetes API answered " + code + ": " + reason, e);
      }
      if (code == 401 || code == 403) {
        return new PitstopException(
            ExitCode.FAILED,
            "the Kubernetes API refused the request ("
                + code
                + "): "
                + reason
                + "; check the ServiceAccount's Role (see the README's RBAC section)",
            e);
      }
      return new PitstopException(
          ExitCode.FAILED, "the Kubernetes API answered " + code + ": " + reason, e);
    }
    if (e instanceof IOException) {
      return PitstopException.transientFailure(
          "the Kubernetes API is unreachable: " + e.getMessage(), e);
    }
    return new PitstopException(
        ExitCode.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  static boolean isNotFound(Exception e) {
    return e instanceof KubernetesClientException k8s && k8s.getCode() == 404;
  }

  private static String shortReason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }
}
