package dev.pitstop.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import picocli.CommandLine.Option;

/** Who holds the lock, as other runs see it. */
final class HolderOption {
  @Option(
      names = "--holder",
      paramLabel = "TEXT",
      description =
          "Who holds the lock, shown to other runs. Default: the pod's hostname, or user@host.")
  String holder;

  String holder(Map<String, String> env) {
    if (holder != null) {
      return holder;
    }
    String host = env.getOrDefault("HOSTNAME", "");
    if (host.isEmpty()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
    }
    String user = env.get("USER");
    return user == null || user.isEmpty() ? host : user + "@" + host;
  }
}
