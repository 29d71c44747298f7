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
    return classify(e, null);
  }

  /**
   * As {@link #classify(Exception)}; an unreachable or silent server is named ({@code server}, the
   * client's master URL) with the network's own reason, e.g. "Connection refused".
   */
  public static PitstopException classify(Exception e, String server) {
    String at = server == null ? "" : " at " + server;
    if (e instanceof PitstopException pitstop) {
      return pitstop;
    }
    if (e instanceof io.fabric8.kubernetes.client.WatcherException watch) {
      // a refusal underneath (403 on the watch) is what it is; a watch that broke or sent what
      // could not be read is the API server's or the network's passing trouble
      if (watch.getCause() instanceof KubernetesClientException refused) {
        return classify(refused, server);
      }
      return PitstopException.transientFailure(
          "the Kubernetes API" + at + " broke off a watch: " + e.getMessage(), e);
    }
    if (e instanceof KubernetesClientTimeoutException) {
      return PitstopException.transientFailure(
          "the Kubernetes API" + at + " did not answer in time", e);
    }
    if (e instanceof KubernetesClientException k8s) {
      int code = k8s.getCode();
      String reason = shortReason(k8s);
      if (hasCause(k8s, HttpTimeoutException.class)
          && !hasCause(k8s, HttpConnectTimeoutException.class)) {
        return PitstopException.transientFailure(
            "the Kubernetes API" + at + " accepted the request but did not answer in time", e);
      }
      if (code == 0 || hasCause(k8s, IOException.class)) {
        // fabric8's own text only repeats which request it was, which the caller says already
        return PitstopException.transientFailure(
            "the Kubernetes API" + at + " is unreachable: " + rootReason(k8s), e);
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
          "the Kubernetes API" + at + " is unreachable: " + rootReason(e), e);
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

  /** What the network said, in words: "connection refused", a host that does not resolve. */
  private static String rootReason(Throwable e) {
    String deepest = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.nio.channels.UnresolvedAddressException
          || t instanceof java.net.UnknownHostException) {
        return "its host name does not resolve";
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        deepest = t.getMessage();
      }
    }
    return deepest != null ? deepest : e.getClass().getSimpleName();
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
