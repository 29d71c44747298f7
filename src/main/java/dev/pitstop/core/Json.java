package dev.pitstop.core;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON mapper for the run record, step results, Argo CD and maintenance records and smoke-test
 * bodies. It is built on first use, not when a class that may need it is loaded: building it loads
 * about 300 classes, which a step that never writes structured JSON (lock, unlock, status of a free
 * app) should not pay for at start-up.
 */
public final class Json {
  private Json() {}

  private static final class Holder {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /** The shared mapper; safe to use from several threads. */
  public static ObjectMapper mapper() {
    return Holder.MAPPER;
  }
}
