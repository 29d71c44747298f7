package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import dev.pitstop.kube.Names;
import dev.pitstop.step.MaintenanceTarget;
import picocli.CommandLine.Option;

/** How maintenance mode is switched on: the mode and the object it changes. */
final class MaintenanceOptions {
  /** The maintenance modes. */
  enum Mode {
    CONFIGMAP,
    SERVICE,
    INGRESS
  }

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description = "configmap, service or ingress (required).")
  Mode mode;

  @Option(
      names = "--configmap",
      paramLabel = "NAME",
      description = "configmap mode: the ConfigMap.")
  String configMap;

  @Option(names = "--key", paramLabel = "KEY", description = "configmap mode: the key to set.")
  String key;

  @Option(
      names = "--value",
      paramLabel = "VALUE",
      defaultValue = "true",
      description = "configmap mode: the maintenance value. Default: ${DEFAULT-VALUE}.")
  String value;

  @Option(names = "--service", paramLabel = "NAME", description = "service mode: the Service.")
  String service;

  @Option(
      names = "--maintenance-selector",
      paramLabel = "K=V[,K=V...]",
      description = "service mode: the selector of the maintenance pods.")
  String maintenanceSelector;

  @Option(names = "--ingress", paramLabel = "NAME", description = "ingress mode: the Ingress.")
  String ingress;

  @Option(
      names = "--maintenance-backend",
      paramLabel = "SERVICE:PORT",
      description = "ingress mode: the maintenance Service and its port number or name.")
  String maintenanceBackend;

  /** The target, or a usage error naming what is missing. */
  MaintenanceTarget target() {
    if (mode == null) {
      throw PitstopException.usage("missing --mode: configmap, service or ingress");
    }
    return switch (mode) {
      case CONFIGMAP ->
          new MaintenanceTarget.ConfigMapKey(
              Names.objectName("--configmap", required("--configmap", configMap)),
              Names.configMapKey(required("--key", key)),
              value);
      case SERVICE ->
          new MaintenanceTarget.ServiceSelector(
              Names.label("--service", required("--service", service)),
              Names.selector(
                  "--maintenance-selector",
                  required("--maintenance-selector", maintenanceSelector)));
      case INGRESS -> ingressTarget();
    };
  }

  private MaintenanceTarget ingressTarget() {
    String backend = required("--maintenance-backend", maintenanceBackend);
    int colon = backend.lastIndexOf(':');
    if (colon <= 0 || colon == backend.length() - 1) {
      throw PitstopException.usage(
          "--maintenance-backend '"
              + backend
              + "' is malformed: write it as SERVICE:PORT, e.g."
              + " maintenance-page:80");
    }
    String port = backend.substring(colon + 1);
    if (port.chars().allMatch(Character::isDigit)) {
      int number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        throw PitstopException.usage("--maintenance-backend port " + port + " is not 1-65535");
      }
    } else {
      Names.label("--maintenance-backend port name", port);
    }
    return new MaintenanceTarget.IngressBackends(
        Names.objectName("--ingress", required("--ingress", ingress)),
        Names.label("--maintenance-backend service", backend.substring(0, colon)),
        port);
  }

  private String required(String option, String value) {
    if (value == null || value.isEmpty()) {
      throw PitstopException.usage(
          "--mode " + mode.name().toLowerCase(java.util.Locale.ROOT) + " needs " + option);
    }
    return value;
  }
}
