package dev.pitstop.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Where the migration is: written by the operator only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationStatus {
  @JsonPropertyDescription("The run id: the Migration's uid, as in the run record.")
  public String runId;

  @JsonPropertyDescription(
      "Pending, Planned, Waiting, Running, Succeeded, RolledBack, Failed or NeedsAttention.")
  public String phase;

  @JsonPropertyDescription("The step running now, or the last one that ran.")
  public String currentStep;

  @JsonPropertyDescription("One line on where the migration is and what to do, if anything.")
  public String message;

  @JsonPropertyDescription("The spec generation this status was written for.")
  public Long observedGeneration;

  @JsonPropertyDescription("The plan made for this spec.")
  public Plan plan;

  @JsonPropertyDescription("The hash of the spec the plan was made for.")
  public String specHash;

  @JsonPropertyDescription(
      "The plan hash the run was approved with (auto or manual); from then on the spec is"
          + " immutable.")
  public String approvedPlanHash;

  @JsonPropertyDescription("Each step of the run, mirrored from the run record as it goes.")
  public List<Step> steps = new ArrayList<>();

  @JsonPropertyDescription("The Job running the procedure.")
  public String job;

  @JsonPropertyDescription("When the run Job was created.")
  public String startedAt;

  @JsonPropertyDescription("When the run ended.")
  public String finishedAt;

  @JsonPropertyDescription("pitstop run's exit code.")
  public Integer exitCode;

  @JsonPropertyDescription("migrated, rolled-back or needs-attention, once the run has ended.")
  public String endState;

  @JsonPropertyDescription(
      "Ready, Reconciling, Stalled (kstatus) and Planned, Approved, MaintenanceOn.")
  public List<Condition> conditions = new ArrayList<>();

  /** The plan: its hash, what stands in the way and how long users would wait. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Plan {
    @JsonPropertyDescription("Approve this hash to run this plan (spec.approval.approvedPlanHash).")
    public String hash;

    @JsonPropertyDescription("False when the plan has blockers.")
    public Boolean runnable;

    @JsonPropertyDescription("What would make the run fail or be unsafe.")
    public List<String> blockers = new ArrayList<>();

    @JsonPropertyDescription("Warnings to check before approving.")
    public List<String> warnings = new ArrayList<>();

    @JsonPropertyDescription("The workloads the run stops.")
    public List<String> workloads = new ArrayList<>();

    @JsonPropertyDescription("The migrations pending now.")
    public List<String> pending = new ArrayList<>();

    @JsonPropertyDescription("Estimated downtime users see, e.g. 12s-40s.")
    public String downtime;

    @JsonPropertyDescription("When the plan was made.")
    public String plannedAt;

    @JsonPropertyDescription("The plan Job's one-line verdict.")
    public String summary;
  }

  /** One step of the run, as the run record has it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Step {
    public String name;

    @JsonPropertyDescription("running, succeeded or failed.")
    public String state;

    public String started;
    public String ended;
    public Integer attempts;
    public Integer exitCode;
    public String message;
  }

  /** A kstatus-style condition. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Condition {
    public String type;

    @JsonPropertyDescription("True, False or Unknown.")
    public String status;

    public String reason;
    public String message;
    public String lastTransitionTime;
    public Long observedGeneration;
  }
}
