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
    INGRESS,
    HTTPROUTE
  }

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description = "configmap, service, ingress or httproute (required).")
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
      names = "--httproute",
      paramLabel = "NAME",
      description = "httproute mode: the Gateway API HTTPRoute.")
  String httpRoute;

  @Option(
      names = "--maintenance-backend",
      paramLabel = "SERVICE:PORT",
      description =
          "ingress and httproute modes: the maintenance Service and its port (ingress: number or"
              + " name; httproute: the Service's port number).")
  String maintenanceBackend;

  /** The target, or a usage error naming what is missing. */
  MaintenanceTarget target() {
    if (mode == null) {
      throw PitstopException.usage("missing --mode: configmap, service, ingress or httproute");
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
      case HTTPROUTE -> httpRouteTarget();
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
      int number = port.length() > 5 ? -1 : Integer.parseInt(port);
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

  /** Gateway API backend references take the Service's port number only, not a port name. */
  private MaintenanceTarget httpRouteTarget() {
    String route = Names.objectName("--httproute", required("--httproute", httpRoute));
    String backend = required("--maintenance-backend", maintenanceBackend);
    int colon = backend.lastIndexOf(':');
    String port = colon < 0 ? "" : backend.substring(colon + 1);
    if (colon <= 0 || port.isEmpty() || !port.chars().allMatch(Character::isDigit)) {
      throw PitstopException.usage(
          "--maintenance-backend '"
              + backend
              + "' is malformed: httproute mode needs SERVICE:PORT with the Service's port"
              + " number, e.g. maintenance-page:80");
    }
    int number = port.length() > 5 ? -1 : Integer.parseInt(port);
    if (number < 1 || number > 65535) {
      throw PitstopException.usage("--maintenance-backend port " + port + " is not 1-65535");
    }
    return new MaintenanceTarget.HttpRouteBackends(
        route, Names.label("--maintenance-backend service", backend.substring(0, colon)), number);
  }

  private String required(String option, String value) {
    if (value == null || value.isEmpty()) {
      throw PitstopException.usage(
          "--mode " + mode.name().toLowerCase(java.util.Locale.ROOT) + " needs " + option);
    }
    return value;
  }
}
