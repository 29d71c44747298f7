package dev.pitstop.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * A workload found to use the database, how sure the plan is, and why.
 *
 * @param owner the workload
 * @param certainty the strongest evidence's certainty
 * @param evidence one line per place it was found, passwords removed
 * @param passwordSecret where its database password comes from, when a Secret holds it
 */
record Consumer(
    PodOwner owner, Certainty certainty, List<String> evidence, SecretKey passwordSecret) {

  /** How sure a plan is that a workload uses the database. */
  enum Certainty {
    /** Its configuration names this database, or it is connected to it right now. */
    CERTAIN,
    /** Its configuration names this database's server, or a Secret made for this database. */
    LIKELY,
    /** It reads database settings the plan could not see (a Secret not read, a placeholder). */
    POSSIBLE;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    Certainty strongest(Certainty other) {
      return other == null || ordinal() <= other.ordinal() ? this : other;
    }
  }

  /** A key of a Secret. */
  record SecretKey(String secret, String key) {}

  /** Collects the evidence for one workload. */
  static final class Builder {
    private final PodOwner owner;
    private Certainty certainty;
    private final List<String> evidence = new ArrayList<>();
    private SecretKey passwordSecret;

    Builder(PodOwner owner) {
      this.owner = owner;
    }

    Builder add(Certainty found, String line) {
      certainty = found.strongest(certainty);
      if (!evidence.contains(line)) {
        evidence.add(line);
      }
      return this;
    }

    void passwordFrom(SecretKey key) {
      if (passwordSecret == null) {
        passwordSecret = key;
      }
    }

    boolean any() {
      return certainty != null;
    }

    Consumer build() {
      return new Consumer(owner, certainty, List.copyOf(evidence), passwordSecret);
    }
  }
}
