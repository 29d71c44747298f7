package dev.pitstop.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a step reports: a one-line summary for humans and named result fields for machines ({@code
 * --output json}, {@code --results-dir}). Field names are kebab-case. Values are strings, numbers,
 * booleans, lists or maps that Jackson can write.
 */
public final class StepResult {
  private final String summary;
  private final Map<String, Object> fields;
  private final int exitCode;

  private StepResult(String summary, Map<String, Object> fields, int exitCode) {
    this.summary = summary;
    this.fields = Collections.unmodifiableMap(fields);
    this.exitCode = exitCode;
  }

  public static Builder builder(String summary) {
    return new Builder(summary);
  }

  public static StepResult of(String summary) {
    return new Builder(summary).build();
  }

  public String summary() {
    return summary;
  }

  public Map<String, Object> fields() {
    return fields;
  }

  /**
   * 0 for a step; {@code run} reports its whole outcome as a result with the run's exit code, so
   * the summary is printed even when the run failed.
   */
  public int exitCode() {
    return exitCode;
  }

  /** Builds a {@link StepResult}, keeping fields in the order they were added. */
  public static final class Builder {
    private final String summary;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private int exitCode = ExitCode.OK;

    private Builder(String summary) {
      this.summary = summary;
    }

    public Builder field(String name, Object value) {
      fields.put(name, value);
      return this;
    }

    public Builder exitCode(int code) {
      this.exitCode = code;
      return this;
    }

    public StepResult build() {
      return new StepResult(summary, new LinkedHashMap<>(fields), exitCode);
    }
  }
}
