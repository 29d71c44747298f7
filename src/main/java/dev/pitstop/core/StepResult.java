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

  private StepResult(String summary, Map<String, Object> fields) {
    this.summary = summary;
    this.fields = Collections.unmodifiableMap(fields);
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

  /** Builds a {@link StepResult}, keeping fields in the order they were added. */
  public static final class Builder {
    private final String summary;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Builder(String summary) {
      this.summary = summary;
    }

    public Builder field(String name, Object value) {
      fields.put(name, value);
      return this;
    }

    public StepResult build() {
      return new StepResult(summary, new LinkedHashMap<>(fields));
    }
  }
}
