package dev.pitstop.operator.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One migration run of one app, as a PipelineRun is one run of a Pipeline: posted once, planned,
 * approved, run by a Job, and left as the record of how it ended. The CRD in {@code operator/} is
 * generated from these types.
 */
@Group(Migration.GROUP)
@Version(Migration.VERSION)
@ShortNames("psm")
@AdditionalPrinterColumn(
    name = "App",
    jsonPath = ".spec.app",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Step",
    jsonPath = ".status.currentStep",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// An approved spec is what the plan was approved for: the API server refuses to change it. The
// operator holds to the approved spec whatever it is sent (a server without CEL included).
@ValidationRule(
    value =
        "!has(oldSelf.status) || !has(oldSelf.status.approvedPlanHash)"
            + " || oldSelf.status.approvedPlanHash == '' || self.spec == oldSelf.spec",
    message = "spec is immutable once the migration is approved; post a new Migration instead")
public class Migration extends CustomResource<MigrationSpec, MigrationStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  public static final String GROUP = "pitstop.dev";
  public static final String VERSION = "v1alpha1";
}
