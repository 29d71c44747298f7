package dev.pitstop.demo;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * Makes the in-memory API server answer SelfSubjectRulesReviews, which it cannot on its own: the
 * operator's leader election asks one before it takes the lease. The answer is "everything", as for
 * the cluster's administrator; a test of the shipped ClusterRole checks the rules themselves.
 */
public final class RulesReviews {
  public static final String PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  private RulesReviews() {}

  public static void answerAll(KubernetesMockServer server) {
    server
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            201,
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                + "\"spec\":{},\"status\":{\"incomplete\":false,\"nonResourceRules\":[],"
                + "\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
                + "\"resources\":[\"*\"]}]}}")
        .always();
  }
}
